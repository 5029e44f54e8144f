package dev.panllama.sampling;

/** Which distribution a reported log-probability comes from. */
public enum ProbabilitySource {
    /**
     * The model's own distribution: log-softmax of the raw logits, before logit bias, penalties,
     * truncation and temperature. Independent of the sampling settings (what OpenAI-style
     * {@code logprobs} and llama-server's default {@code n_probs} report). Costs one pass over the
     * vocabulary per token.
     */
    MODEL,
    /**
     * The distribution the token was actually drawn from: softmax after the whole sampler chain
     * (llama-server's {@code post_sampling_probs}). Tokens the chain removed are not in it; with a
     * temperature of 0 the chosen token has probability 1.
     */
    SAMPLED
}
