package dev.panllama;

import dev.panllama.chat.ChatTemplate;
import dev.panllama.chat.ChatTemplateException;

/**
 * A model's chat template, compiled on first use: Jinjava (with Jackson and Guava) takes longer to
 * start than loading a small model, and raw completion, tokenizing or benchmarking never render a
 * template. A template that does not compile fails every use with the same {@link PanllamaException}.
 */
final class LazyChatTemplate {
    private final String source;
    private final String modelName; // for the error message
    private volatile ChatTemplate compiled;
    private volatile PanllamaException failure;

    /** A template to compile from {@code source} when first rendered. */
    LazyChatTemplate(String source, String modelName) {
        this.source = source;
        this.modelName = modelName;
    }

    /** An already compiled template. */
    LazyChatTemplate(ChatTemplate compiled) {
        this.source = compiled.source();
        this.modelName = null;
        this.compiled = compiled;
    }

    /** The Jinja source as given; does not compile it. */
    String source() {
        return source;
    }

    /**
     * The compiled template.
     *
     * @throws PanllamaException when the source does not compile (every call, with the same cause)
     */
    ChatTemplate get() {
        ChatTemplate t = compiled;
        if (t != null) return t;
        synchronized (this) {
            if (compiled == null && failure == null) {
                try {
                    compiled = ChatTemplate.compile(source);
                } catch (ChatTemplateException e) {
                    failure = new PanllamaException("The chat template of " + modelName + " does not compile ("
                            + e.getMessage() + "); give one with ModelOptions.withChatTemplate", e);
                }
            }
            if (failure != null) throw failure;
            return compiled;
        }
    }
}
