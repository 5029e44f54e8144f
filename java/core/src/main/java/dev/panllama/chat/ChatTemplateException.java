package dev.panllama.chat;

import dev.panllama.PanllamaException;

/**
 * A chat template that cannot be compiled or rendered: a syntax error, a {@code raise_exception(...)} call
 * by the template itself, a Python error (iterating None, ...), or a template that exceeded its render budget.
 */
public class ChatTemplateException extends PanllamaException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
