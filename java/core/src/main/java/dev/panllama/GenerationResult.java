package dev.panllama;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one generation.
 *
 * @param text the generated text (without end-of-generation tokens or the stop string)
 * @param tokens the tokens handed out, in order; their texts concatenate to {@code text}
 * @param stopReason why it ended
 * @param stopString the stop string that ended it, when {@code stopReason} is {@link StopReason#STOP_STRING}
 * @param seed the sampler seed used (the configured one, or the one drawn)
 * @param stats counts and timings
 */
public record GenerationResult(String text, List<Token> tokens, StopReason stopReason,
                               Optional<String> stopString, long seed, GenerationStats stats) {
    /** Copies {@code tokens}. */
    public GenerationResult {
        tokens = List.copyOf(tokens);
    }
}
