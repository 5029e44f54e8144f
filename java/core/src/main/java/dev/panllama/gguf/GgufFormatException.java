package dev.panllama.gguf;

import dev.panllama.PanllamaException;
import java.nio.file.Path;

/**
 * A GGUF file (or a value in it) is malformed, truncated, hostile or not what the caller expected.
 * Messages name the file, the field and the offending value.
 */
public class GgufFormatException extends PanllamaException {
    private static final long serialVersionUID = 1L;

    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: FIELD: PROBLEM", the shape of every reader error. */
    public static GgufFormatException of(Object file, String field, String problem) {
        return new GgufFormatException(name(file) + ": " + field + ": " + problem);
    }

    static String name(Object file) {
        return file instanceof Path p ? p.toString() : String.valueOf(file);
    }
}
