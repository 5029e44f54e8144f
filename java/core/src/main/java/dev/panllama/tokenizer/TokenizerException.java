package dev.panllama.tokenizer;

import dev.panllama.PanllamaException;

/** A vocabulary that cannot be used as given (unknown tokenizer model or pre-tokenizer, bad metadata). */
public class TokenizerException extends PanllamaException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }
}
