package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgmlType;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.GgufWriter;
import dev.panllama.synthetic.SyntheticLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file whose tensors contradict its metadata is refused with the tensor, the expected and the actual shape. */
class LlamaWeightsValidationTest {
    @TempDir
    Path dir;

    static final LlamaConfig SHAPE = new LlamaConfig("llama", 64, 2, 4, 2, 16, 128, 256, 10000f, 16,
            LlamaConfig.RopeScaling.NONE, 1e-5f, 300, false, false);

    private String loadError(GgufWriter w) {
        Path file = dir.resolve("bad.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            return assertThrows(PanllamaException.class, () -> LlamaModel.load(f)).getMessage();
        }
    }

    @Test
    void ffnWidthDisagreeingWithTheTensorsIsNamed() {
        GgufWriter w = SyntheticLlama.of(SHAPE, GgmlType.Q8_0, 1, null).writer();
        w.putUInt32("llama.feed_forward_length", 96);
        String msg = loadError(w);
        assertTrue(msg.contains("blk.0.ffn_gate.weight") && msg.contains("[64, 128]") && msg.contains("[64, 96]"), msg);
    }

    @Test
    void kvHeadCountDisagreeingWithTheTensorsIsNamed() {
        GgufWriter w = SyntheticLlama.of(SHAPE, GgmlType.F16, 1, null).writer();
        w.putUInt32("llama.attention.head_count_kv", 1);
        String msg = loadError(w);
        assertTrue(msg.contains("blk.0.attn_k.weight") && msg.contains("[64, 32]") && msg.contains("[64, 16]"), msg);
    }

    @Test
    void aValidFileLoads() {
        Path file = dir.resolve("ok.gguf");
        SyntheticLlama.of(SHAPE, GgmlType.Q4_0, 1, null).write(file);
        try (GgufFile f = GgufFile.open(file); LlamaModel m = LlamaModel.load(f)) {
            assertTrue(m.weights().output() != m.weights().tokenEmbedding(), "separate output.weight");
            assertTrue(m.weights().totalBytes() > 0);
        }
    }
}
