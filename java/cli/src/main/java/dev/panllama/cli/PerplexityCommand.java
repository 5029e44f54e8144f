package dev.panllama.cli;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.Perplexity;
import dev.panllama.model.StateOptions;
import dev.panllama.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panllama perplexity}: llama.cpp's perplexity of a text file, comparable number for number. */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures a model's perplexity on a text file, exactly as llama-perplexity does.",
            "Non-overlapping windows of -c tokens, BOS first when the model adds it, the second",
            "half of each window scored.",
            "Progress goes to stderr; the last line on stdout is",
            "  Final estimate: PPL = 4.3717 +/- 0.20838",
            "",
            "Example:",
            "  panllama perplexity -m model.gguf -f wiki.test.raw -c 512"})
final class PerplexityCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The text (UTF-8).")
    Path file;

    @Option(names = "--chunks", paramLabel = "N", description = "Score only the first N windows (default: all).")
    int chunks;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        common.validate(cl);
        int window = common.ctx != null ? common.ctx : 512;
        if (window < 4) throw new CommandLine.ParameterException(cl, "-c must be at least 4 for perplexity (got " + window + ")");
        if (!Files.isRegularFile(file)) throw new PanllamaException(file + ": no such file");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        Path modelPath = ModelLocator.resolve(common.model, err);
        Preflight.check(modelPath, common.kvTypeOrDefault(), window, err);
        try (GgufFile gguf = GgufFile.open(modelPath); LlamaModel model = LlamaModel.load(gguf, !common.noRepack)) {
            Tokenizer tokenizer = Tokenizer.fromMetadata(gguf.metadata());
            long t0 = System.nanoTime();
            int[] tokens = tokenizer.encode(text, true, false); // as llama-perplexity: BOS if the model adds one, no special parsing
            if (tokens.length < 2 * window) {
                throw new PanllamaException(String.format(Locale.ROOT,
                        "%s is %,d tokens long; perplexity with -c %d needs at least %,d (two windows). "
                                + "Give a longer text or a smaller -c", file, tokens.length, window, 2 * window));
            }
            int windows = tokens.length / window;
            if (chunks > 0) windows = Math.min(windows, chunks);
            err.printf(Locale.ROOT, "perplexity: %,d tokens, %d windows of %d (tokenized in %.2f s)%n", tokens.length,
                    windows, window, (System.nanoTime() - t0) / 1e9);
            err.flush();
            int kv = switch (common.kvTypeOrDefault()) {
                case F32 -> StateOptions.KV_F32;
                case F16 -> StateOptions.KV_F16;
                case Q8_0 -> StateOptions.KV_Q8_0;
            };
            long start = System.nanoTime();
            Perplexity.Result r;
            try (InferenceState state = model.newState(new StateOptions(window, kv, common.threadsOrDefault(), window))) {
                r = Perplexity.compute(state, tokens, window, tokenizer.addBos() ? tokenizer.bos() : -1, chunks,
                        (w, total, running) -> {
                            if (w == 0) {
                                double s = (System.nanoTime() - start) / 1e9;
                                err.printf(Locale.ROOT, "perplexity: %.2f s per window, about %.0f s in all%n", s, s * total);
                            }
                            err.printf(Locale.ROOT, "[%d]%.4f,", w + 1, running);
                            if (w + 1 == total) err.println();
                            err.flush();
                        });
            }
            out.println(finalEstimate(r.ppl(), r.standardError()));
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** llama.cpp's last line: 4 decimals, then the standard error with 5. */
    static String finalEstimate(double ppl, double standardError) {
        return String.format(Locale.ROOT, "Final estimate: PPL = %.4f +/- %.5f", ppl, standardError);
    }
}
