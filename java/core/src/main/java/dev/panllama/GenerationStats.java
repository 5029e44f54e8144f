package dev.panllama;

import java.time.Duration;

/**
 * Counts and timings of one generation.
 *
 * @param promptTokens tokens in the prompt
 * @param cachedPromptTokens prompt tokens already in the KV cache and not evaluated again
 * @param generatedTokens tokens sampled (including a final end-of-generation token or the token that completed a stop string)
 * @param promptTime time spent evaluating the prompt tokens that were not cached
 * @param generationTime time from the end of the prompt evaluation to the last token
 * @param timeToFirstToken time from the call to the first sampled token (tokenizing, prompt, first sample)
 */
public record GenerationStats(int promptTokens, int cachedPromptTokens, int generatedTokens,
                              Duration promptTime, Duration generationTime, Duration timeToFirstToken) {

    /** Prompt tokens evaluated (not cached) per second of {@link #promptTime()}; 0 when none were. */
    public double promptTokensPerSecond() {
        return perSecond(promptTokens - cachedPromptTokens, promptTime);
    }

    /** {@link #generatedTokens()} per second of {@link #generationTime()}; 0 when none were. */
    public double generationTokensPerSecond() {
        return perSecond(generatedTokens, generationTime);
    }

    private static double perSecond(int n, Duration d) {
        long nanos = d.toNanos();
        return n <= 0 || nanos <= 0 ? 0 : n * 1e9 / nanos;
    }
}
