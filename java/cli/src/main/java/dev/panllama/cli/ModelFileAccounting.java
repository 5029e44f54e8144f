package dev.panllama.cli;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TensorInfo;
import dev.panllama.inspect.Hyperparameters;
import dev.panllama.inspect.KvType;
import dev.panllama.inspect.ModelAccounting;
import dev.panllama.model.LlamaConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Accounting of a GGUF file from its metadata and tensor table (no weights are read). */
record ModelFileAccounting(String title, ModelAccounting accounting) {

    static ModelFileAccounting read(Path path, KvType kvType, int ctx) {
        try (GgufFile f = GgufFile.open(path)) {
            boolean vocabOnly = f.tensors().isEmpty();
            // A vocab-only file has no output.weight to tell tied from untied: assume untied, like the metadata reader.
            LlamaConfig c = vocabOnly ? LlamaConfig.from(f.metadata()) : LlamaConfig.from(f);
            Hyperparameters h = hyperparameters(c);
            Map<String, Long> bytes = new TreeMap<>();
            long elements = 0;
            for (TensorInfo t : f.tensors()) {
                bytes.merge(t.type().name().toLowerCase(Locale.ROOT), t.byteSize(), Long::sum);
                elements += t.elementCount();
            }
            ModelAccounting a = vocabOnly ? ModelAccounting.estimate(h, kvType, ctx) : ModelAccounting.of(h, kvType, ctx, bytes);
            String name = f.metadata().getString("general.name", path.getFileName().toString());
            String check = vocabOnly
                    ? "no weights (vocab only): the counts follow its metadata, assuming an untied output"
                    : elements == a.params().total()
                    ? "its tensors hold exactly these parameters"
                    : String.format(Locale.ROOT, "its tensors hold %,d elements (the formulas give %,d)", elements,
                            a.params().total());
            String title = String.format(Locale.ROOT, "%s (%s, trained context %d)%n  %s: %d tensors, %s; %s", name,
                    c.architecture(), c.contextLength(), path, f.tensors().size(), InspectReport.bytes(f.fileSize()),
                    check);
            return new ModelFileAccounting(title, a);
        }
    }

    static Hyperparameters hyperparameters(LlamaConfig c) {
        return new Hyperparameters(c.embeddingLength(), c.blockCount(), c.headCount(), c.headCountKv(), c.headDim(),
                c.feedForwardLength(), c.vocabSize(), c.tiedEmbeddings(), c.qkvBias());
    }
}
