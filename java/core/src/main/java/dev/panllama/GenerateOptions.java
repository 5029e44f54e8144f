package dev.panllama;

import dev.panllama.sampling.ProbabilitySource;
import dev.panllama.sampling.SamplerStage;
import dev.panllama.sampling.SamplingOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * How to generate: when to stop, how to sample, what to report. Immutable; build with
 * {@link #builder()}. The builder also exposes the common {@link SamplingOptions} knobs directly.
 *
 * @param maxTokens most tokens to generate; -1 means no limit (until end of generation or a full context)
 * @param stop stop strings: generation ends at the first one, which is not part of the output
 * @param ignoreEos keep going past end-of-generation tokens (they are then ordinary output tokens)
 * @param sampling how tokens are chosen
 * @param topLogprobs how many of the most likely tokens to report with each token (0 = none)
 * @param logprobSource the distribution {@link Token#logprob()} and the alternatives come from:
 *     {@link ProbabilitySource#SAMPLED} (default, free: the distribution after the sampler chain, as
 *     llama.cpp's {@code n_probs} reports) or {@link ProbabilitySource#MODEL} (log-softmax of the raw
 *     logits, independent of the sampling settings; one extra pass over the vocabulary per token)
 * @param addSpecial when the prompt is text: add the model's BOS as its metadata asks (default true)
 * @param parseSpecial when the prompt is text: turn special-token text into special tokens (default true)
 */
public record GenerateOptions(int maxTokens, List<String> stop, boolean ignoreEos, SamplingOptions sampling,
                              int topLogprobs, ProbabilitySource logprobSource, boolean addSpecial,
                              boolean parseSpecial) {
    /** The most alternatives reported per token. */
    public static final int MAX_TOP_LOGPROBS = 100;

    /** @throws IllegalArgumentException when a value is out of range */
    public GenerateOptions {
        if (maxTokens < -1 || maxTokens == 0) throw new IllegalArgumentException("maxTokens must be > 0 or -1 (no limit), got " + maxTokens);
        stop = List.copyOf(stop);
        for (String s : stop) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
        if (sampling == null) throw new IllegalArgumentException("sampling is null");
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS)
            throw new IllegalArgumentException("topLogprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        if (logprobSource == null) throw new IllegalArgumentException("logprobSource is null");
    }

    /** No token limit, no stop strings, llama.cpp's default sampling with a random seed. */
    public static GenerateOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxTokens = maxTokens;
        b.stop.addAll(stop);
        b.ignoreEos = ignoreEos;
        b.sampling = sampling.toBuilder();
        b.topLogprobs = topLogprobs;
        b.logprobSource = logprobSource;
        b.addSpecial = addSpecial;
        b.parseSpecial = parseSpecial;
        return b;
    }

    /** Mutable builder for {@link GenerateOptions}; every setter returns {@code this}. */
    public static final class Builder {
        private int maxTokens = -1;
        private final List<String> stop = new ArrayList<>();
        private boolean ignoreEos;
        private SamplingOptions.Builder sampling = SamplingOptions.builder();
        private int topLogprobs;
        private ProbabilitySource logprobSource = ProbabilitySource.SAMPLED;
        private boolean addSpecial = true;
        private boolean parseSpecial = true;

        private Builder() {}

        /** See {@link GenerateOptions#maxTokens()}. */
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        /** Adds stop strings; see {@link GenerateOptions#stop()}. */
        public Builder stop(String... v) { stop.addAll(List.of(v)); return this; }
        /** See {@link GenerateOptions#ignoreEos()}. */
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        /** Replaces all sampling settings. */
        public Builder sampling(SamplingOptions v) { sampling = v.toBuilder(); return this; }
        /** Greedy decoding: always the most likely token. */
        public Builder greedy() { sampling = SamplingOptions.greedy().toBuilder(); return this; }
        /** See {@link SamplingOptions#temperature()}. */
        public Builder temperature(float v) { sampling.temperature(v); return this; }
        /** See {@link SamplingOptions#topK()}. */
        public Builder topK(int v) { sampling.topK(v); return this; }
        /** See {@link SamplingOptions#topP()}. */
        public Builder topP(float v) { sampling.topP(v); return this; }
        /** See {@link SamplingOptions#minP()}. */
        public Builder minP(float v) { sampling.minP(v); return this; }
        /** See {@link SamplingOptions#repeatPenalty()}. */
        public Builder repeatPenalty(float v) { sampling.repeatPenalty(v); return this; }
        /** See {@link SamplingOptions#frequencyPenalty()}. */
        public Builder frequencyPenalty(float v) { sampling.frequencyPenalty(v); return this; }
        /** See {@link SamplingOptions#presencePenalty()}. */
        public Builder presencePenalty(float v) { sampling.presencePenalty(v); return this; }
        /** See {@link SamplingOptions#penaltyLastN()}. */
        public Builder penaltyLastN(int v) { sampling.penaltyLastN(v); return this; }
        /** See {@link SamplingOptions#logitBias()}. */
        public Builder logitBias(int tokenId, float bias) { sampling.logitBias(tokenId, bias); return this; }
        /** See {@link SamplingOptions#seed()}. */
        public Builder seed(long v) { sampling.seed(v); return this; }
        /** See {@link SamplingOptions#order()}. */
        public Builder samplerOrder(List<SamplerStage> v) { sampling.order(v); return this; }
        /** See {@link GenerateOptions#topLogprobs()}. */
        public Builder topLogprobs(int v) { topLogprobs = v; return this; }
        /** See {@link GenerateOptions#logprobSource()}. */
        public Builder logprobSource(ProbabilitySource v) { logprobSource = v; return this; }
        /** See {@link GenerateOptions#addSpecial()}. */
        public Builder addSpecial(boolean v) { addSpecial = v; return this; }
        /** See {@link GenerateOptions#parseSpecial()}. */
        public Builder parseSpecial(boolean v) { parseSpecial = v; return this; }

        /** @throws IllegalArgumentException when a value is out of range */
        public GenerateOptions build() {
            return new GenerateOptions(maxTokens, stop, ignoreEos, sampling.build(), topLogprobs, logprobSource,
                    addSpecial, parseSpecial);
        }
    }
}
