package dev.panllama.chat;

import java.time.Duration;

/**
 * Bounds on one render. A chat template comes from a model file, so it is untrusted input: these limits make
 * a hostile or broken one fail fast with a {@link ChatTemplateException} instead of hanging or exhausting memory.
 *
 * @param maxOutputChars   longest output (and longest intermediate string)
 * @param maxLoopIterations for-loop iterations summed over the whole render
 * @param maxNodes         template nodes (text, expressions, tags) rendered, summed over the whole render
 * @param timeout          wall-clock bound, checked at every node and loop iteration
 */
public record RenderLimits(int maxOutputChars, long maxLoopIterations, long maxNodes, Duration timeout) {

    /** Generous for any real conversation, small enough to stop a runaway template in well under a second. */
    public static final RenderLimits DEFAULT = new RenderLimits(4 << 20, 250_000, 2_000_000, Duration.ofSeconds(5));

    public RenderLimits {
        if (maxOutputChars <= 0 || maxLoopIterations <= 0 || maxNodes <= 0 || timeout == null || timeout.isNegative()
                || timeout.isZero()) {
            throw new IllegalArgumentException("render limits must be positive");
        }
    }
}
