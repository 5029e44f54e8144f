package dev.panllama;

import java.util.Optional;

/**
 * How to load a {@link Model}.
 *
 * @param chatTemplate a Jinja chat template to use instead of the model's own
 *     ({@code tokenizer.chat_template}); empty uses the model's, or ChatML when it has none
 */
public record ModelOptions(Optional<String> chatTemplate) {

    /** A null {@code chatTemplate} means empty. */
    public ModelOptions {
        chatTemplate = chatTemplate == null ? Optional.empty() : chatTemplate;
    }

    /** The model's own chat template. */
    public static ModelOptions defaults() {
        return new ModelOptions(Optional.empty());
    }

    /** These options with the given chat template source. */
    public ModelOptions withChatTemplate(String jinjaSource) {
        return new ModelOptions(Optional.of(jinjaSource));
    }
}
