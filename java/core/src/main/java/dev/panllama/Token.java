package dev.panllama;

import java.util.List;

/**
 * One generated token, as handed to a streaming callback or iterator.
 *
 * <p>{@code text} is the output this token releases. Usually that is the token's own piece; it is
 * empty while a multi-byte character is unfinished (the character comes with the token that
 * completes it), and a token whose text might begin a stop string is handed out only once that is
 * decided. Concatenating the {@code text} of all tokens gives exactly {@link GenerationResult#text()}.
 *
 * @param id token id
 * @param text decoded text released with this token (possibly empty)
 * @param logprob natural log of the token's probability (see {@link GenerateOptions#logprobSource()})
 * @param alternatives the most likely tokens at this step, most likely first; empty unless
 *     {@link GenerateOptions#topLogprobs()} is above 0
 */
public record Token(int id, String text, float logprob, List<TokenAlternative> alternatives) {
    /** Copies {@code alternatives}. */
    public Token {
        alternatives = List.copyOf(alternatives);
    }
}
