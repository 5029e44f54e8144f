package dev.panllama;

/** Every error panllama reports: a message meant for a person, naming what was wrong. */
public class PanllamaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PanllamaException(String message) {
        super(message);
    }

    public PanllamaException(String message, Throwable cause) {
        super(message, cause);
    }
}
