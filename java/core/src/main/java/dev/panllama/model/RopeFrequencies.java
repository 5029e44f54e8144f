package dev.panllama.model;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

import dev.panllama.PanllamaException;
import java.lang.foreign.MemorySegment;

/**
 * How a model's RoPE differs from the plain one: the rotation layout and the per-frequency divisors
 * that context-extension schemes apply (the {@code freq_factors} of {@code pl_rope_table}).
 */
final class RopeFrequencies {
    private RopeFrequencies() {}

    /** qwen2 rotates halves (neox); llama-arch files have Q/K rows permuted for adjacent pairs. */
    static boolean neox(LlamaConfig c) {
        return c.architecture().equals("qwen2");
    }

    /**
     * The divisor of each of the n_rot/2 frequencies, or null for none: the file's
     * {@code rope_freqs.weight} when present (llama3 files carry it, and llama.cpp uses it as is),
     * else computed from the scaling metadata the way the converters compute that tensor.
     */
    static float[] factors(LlamaConfig c, LlamaWeights w) {
        int half = c.ropeDimensionCount() / 2;
        if (w.ropeFreqFactors() != null) {
            float[] f = new float[half];
            MemorySegment.copy(w.ropeFreqFactors(), JAVA_FLOAT_UNALIGNED, 0, f, 0, half);
            return f;
        }
        LlamaConfig.RopeScaling s = c.ropeScaling();
        return switch (s.type()) {
            case NONE -> null;
            case LINEAR -> {
                // position / factor == frequency / factor for every dimension
                float[] f = new float[half];
                java.util.Arrays.fill(f, s.factor());
                yield f;
            }
            case LLAMA3 -> llama3(c, s, half);
            case YARN -> throw new PanllamaException("YaRN RoPE scaling is not supported yet");
        };
    }

    /** Llama 3.1's scheme: long wavelengths divided by the factor, short ones kept, a smooth ramp between. */
    private static float[] llama3(LlamaConfig c, LlamaConfig.RopeScaling s, int half) {
        float[] f = new float[half];
        double lowWavelen = s.originalContextLength() / s.lowFreqFactor();
        double highWavelen = s.originalContextLength() / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            double freq = Math.pow(c.ropeTheta(), -2.0 * i / c.ropeDimensionCount());
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) f[i] = 1f;
            else if (wavelen > lowWavelen) f[i] = s.factor();
            else {
                double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                f[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return f;
    }
}
