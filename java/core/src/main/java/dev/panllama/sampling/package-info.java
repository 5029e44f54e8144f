/**
 * Token sampling, as llama.cpp's sampler chain: logit bias, then (by default, in this order)
 * repetition/frequency/presence penalties, top-k, top-p, min-p and temperature, then a seeded draw.
 * The order is configurable ({@link dev.panllama.sampling.SamplingOptions#order()},
 * {@link dev.panllama.sampling.SamplerStage#parseOrder}). Pure Java, no allocation per token;
 * the same seed and logits give the same tokens everywhere.
 */
package dev.panllama.sampling;
