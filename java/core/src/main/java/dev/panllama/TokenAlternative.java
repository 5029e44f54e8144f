package dev.panllama;

/**
 * One of the most likely tokens at a generation step (see {@link GenerateOptions#topLogprobs()}).
 *
 * @param id token id
 * @param text the token's piece decoded on its own (may show U+FFFD when it is part of a multi-byte character)
 * @param logprob natural log of its probability (see {@link GenerateOptions#logprobSource()})
 */
public record TokenAlternative(int id, String text, float logprob) {}
