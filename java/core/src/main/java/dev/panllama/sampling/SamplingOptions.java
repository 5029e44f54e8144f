package dev.panllama.sampling;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How the next token is chosen from the logits. Immutable; build with {@link #builder()}.
 *
 * <p>The chain, in order: logit bias, then the stages of {@link #order()} (default
 * {@link SamplerStage#DEFAULT_ORDER}: penalties, top-k, top-p, min-p, temperature), then a draw
 * from the softmax of the remaining candidates with a generator seeded by {@link #seed()}.
 * Defaults follow llama.cpp: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, penalties off
 * over a window of 64 tokens.
 *
 * @param temperature divides the logits; 0 or less means greedy (only the most likely token survives)
 * @param topK keep the K most likely tokens; 0 or less disables
 * @param topP nucleus sampling threshold in (0, 1]; 1 disables
 * @param minP keep tokens with probability at least minP times the top one, in [0, 1]; 0 disables
 * @param repeatPenalty llama.cpp's repetition penalty: for a token in the window, a positive logit
 *     is divided by it and a negative one multiplied; 1 disables
 * @param frequencyPenalty subtracted from a token's logit once per occurrence in the window; 0 disables
 * @param presencePenalty subtracted once from the logit of a token present in the window; 0 disables
 * @param penaltyLastN how many of the most recently accepted tokens (prompt included) the penalties look at; 0 disables
 * @param logitBias added to the logits of the given token ids before anything else
 *     ({@code Float.NEGATIVE_INFINITY} bans a token)
 * @param seed the generator's seed; empty draws a fresh one per sampler (see {@link Sampler#seed()})
 * @param order the configurable stages, in the order they run (a stage left out does not run)
 * @param minKeep the fewest candidates top-k, top-p and min-p leave (0 behaves as 1)
 */
public record SamplingOptions(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repeatPenalty,
        float frequencyPenalty,
        float presencePenalty,
        int penaltyLastN,
        Map<Integer, Float> logitBias,
        OptionalLong seed,
        List<SamplerStage> order,
        int minKeep) {

    /** @throws IllegalArgumentException when a value is out of range (see each component) */
    public SamplingOptions {
        if (!Float.isFinite(temperature)) throw new IllegalArgumentException("temperature must be finite, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("minP must be in [0, 1], got " + minP);
        if (!(repeatPenalty > 0) || !Float.isFinite(repeatPenalty))
            throw new IllegalArgumentException("repeatPenalty must be > 0, got " + repeatPenalty);
        if (!Float.isFinite(frequencyPenalty)) throw new IllegalArgumentException("frequencyPenalty must be finite");
        if (!Float.isFinite(presencePenalty)) throw new IllegalArgumentException("presencePenalty must be finite");
        if (penaltyLastN < 0) throw new IllegalArgumentException("penaltyLastN must be >= 0, got " + penaltyLastN);
        if (minKeep < 0) throw new IllegalArgumentException("minKeep must be >= 0, got " + minKeep);
        logitBias = Map.copyOf(logitBias);
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("logit bias for negative token id " + e.getKey());
            if (e.getValue().isNaN()) throw new IllegalArgumentException("logit bias for token " + e.getKey() + " is NaN");
        }
        order = List.copyOf(order);
        if (new HashSet<>(order).size() != order.size())
            throw new IllegalArgumentException("a sampler stage appears twice in " + order);
        seed = seed == null ? OptionalLong.empty() : seed;
    }

    /** llama.cpp's defaults (see the class description), unseeded. */
    public static SamplingOptions defaults() {
        return builder().build();
    }

    /** Always the most likely token (after logit bias): temperature 0, everything else off. */
    public static SamplingOptions greedy() {
        return builder().temperature(0).topK(0).topP(1).minP(0).build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repeatPenalty = repeatPenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.penaltyLastN = penaltyLastN;
        b.logitBias.putAll(logitBias);
        b.seed = seed;
        b.order = order;
        b.minKeep = minKeep;
        return b;
    }

    /** True when the penalties stage changes nothing (all penalties neutral or an empty window). */
    public boolean penaltiesDisabled() {
        return penaltyLastN == 0 || (repeatPenalty == 1f && frequencyPenalty == 0f && presencePenalty == 0f);
    }

    /** Mutable builder for {@link SamplingOptions}; every setter returns {@code this}. */
    public static final class Builder {
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repeatPenalty = 1f;
        private float frequencyPenalty = 0f;
        private float presencePenalty = 0f;
        private int penaltyLastN = 64;
        private final Map<Integer, Float> logitBias = new LinkedHashMap<>();
        private OptionalLong seed = OptionalLong.empty();
        private List<SamplerStage> order = SamplerStage.DEFAULT_ORDER;
        private int minKeep = 0;

        private Builder() {}

        /** See {@link SamplingOptions#temperature()}. */
        public Builder temperature(float v) { temperature = v; return this; }
        /** See {@link SamplingOptions#topK()}. */
        public Builder topK(int v) { topK = v; return this; }
        /** See {@link SamplingOptions#topP()}. */
        public Builder topP(float v) { topP = v; return this; }
        /** See {@link SamplingOptions#minP()}. */
        public Builder minP(float v) { minP = v; return this; }
        /** See {@link SamplingOptions#repeatPenalty()}. */
        public Builder repeatPenalty(float v) { repeatPenalty = v; return this; }
        /** See {@link SamplingOptions#frequencyPenalty()}. */
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        /** See {@link SamplingOptions#presencePenalty()}. */
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        /** See {@link SamplingOptions#penaltyLastN()}. */
        public Builder penaltyLastN(int v) { penaltyLastN = v; return this; }
        /** Adds (or replaces) the bias of one token; see {@link SamplingOptions#logitBias()}. */
        public Builder logitBias(int tokenId, float bias) { logitBias.put(tokenId, bias); return this; }
        /** Replaces all logit biases. */
        public Builder logitBias(Map<Integer, Float> biases) { logitBias.clear(); logitBias.putAll(biases); return this; }
        /** Fixes the seed: the same seed and the same logits give the same tokens. */
        public Builder seed(long v) { seed = OptionalLong.of(v); return this; }
        /** Draws a fresh seed for every sampler (the default). */
        public Builder randomSeed() { seed = OptionalLong.empty(); return this; }
        /** See {@link SamplingOptions#order()}. */
        public Builder order(List<SamplerStage> v) { order = List.copyOf(v); return this; }
        /** See {@link SamplingOptions#minKeep()}. */
        public Builder minKeep(int v) { minKeep = v; return this; }

        /** @throws IllegalArgumentException when a value is out of range */
        public SamplingOptions build() {
            return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty,
                    presencePenalty, penaltyLastN, logitBias, seed, order, minKeep);
        }
    }
}
