package dev.panllama.cli;

import dev.panllama.GenerateOptions;
import picocli.CommandLine.Option;

/** Sampling flags shared by generate and chat (a picocli mixin); unset flags keep llama.cpp's defaults. */
final class SamplingFlags {
    @Option(names = "--temp", paramLabel = "T", description = "Temperature; 0 always picks the most likely token (default: 0.8).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 keeps all (default: 40).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Keep the most likely tokens up to probability P (default: 0.95).")
    Float topP;

    @Option(names = "--min-p", paramLabel = "P",
            description = "Drop tokens less likely than P times the most likely one (default: 0.05).")
    Float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R",
            description = "Penalize tokens seen in the last 64; 1 is off (default: 1.0).")
    Float repeatPenalty;

    /** Applies the flags given (and the seed) to a builder. */
    GenerateOptions.Builder apply(GenerateOptions.Builder b, Long seed) {
        if (temperature != null) b.temperature(temperature);
        if (topK != null) b.topK(topK);
        if (topP != null) b.topP(topP);
        if (minP != null) b.minP(minP);
        if (repeatPenalty != null) b.repeatPenalty(repeatPenalty);
        if (seed != null) b.seed(seed);
        return b;
    }
}
