package dev.panllama;

import java.util.Optional;

/**
 * How to load a {@link Model}.
 *
 * @param chatTemplate a Jinja chat template to use instead of the model's own
 *     ({@code tokenizer.chat_template}); empty uses the model's, or ChatML when it has none
 * @param repackWeights copy the matrices the CPU's kernels multiply faster in an interleaved layout
 *     (Q4_0/Q4_1/Q5_0/Q5_1/Q4_K/Q5_K/Q6_K on AVX2/AVX-512) at load, as llama.cpp does (default); false multiplies the file's
 *     blocks in place (no copy, slower decode, results as ggml's un-repacked kernels)
 */
public record ModelOptions(Optional<String> chatTemplate, boolean repackWeights) {

    /** A null {@code chatTemplate} means empty. */
    public ModelOptions {
        chatTemplate = chatTemplate == null ? Optional.empty() : chatTemplate;
    }

    /** The given chat template, weights repacked. */
    public ModelOptions(Optional<String> chatTemplate) {
        this(chatTemplate, true);
    }

    /** The model's own chat template, weights repacked. */
    public static ModelOptions defaults() {
        return new ModelOptions(Optional.empty(), true);
    }

    /** These options with the given chat template source. */
    public ModelOptions withChatTemplate(String jinjaSource) {
        return new ModelOptions(Optional.of(jinjaSource), repackWeights);
    }

    /** These options with weight repacking on or off. */
    public ModelOptions withRepackWeights(boolean repack) {
        return new ModelOptions(chatTemplate, repack);
    }
}
