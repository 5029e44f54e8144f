package dev.panllama;

import dev.panllama.tokenizer.Utf8StreamDecoder;

/**
 * What sessions need from the tokenizer. The real implementation wraps
 * {@code dev.panllama.tokenizer.Tokenizer}; tests plug in a fake.
 */
interface Vocabulary {

    /** Number of token ids (the length of the logits). */
    int size();

    /**
     * Text to ids.
     *
     * @param addSpecial add the model's BOS (and EOS) where its metadata asks for them
     * @param parseSpecial turn special-token text such as {@code <|im_start|>} into its id
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The raw bytes a token contributes to the output: possibly part of a UTF-8 character, empty
     * for control tokens (BOS, EOS, ...).
     */
    byte[] pieceBytes(int id);

    /**
     * Feeds the bytes {@link #pieceBytes} gives to {@code decoder}, appending the characters they
     * complete to {@code out}: per generated token, so implementations avoid copying the bytes.
     */
    default void decodePiece(int id, Utf8StreamDecoder decoder, StringBuilder out) {
        byte[] bytes = pieceBytes(id);
        decoder.acceptBytes(bytes, 0, bytes.length, out);
    }

    /** A token's text as written in prompts, special tokens included (e.g. {@code <|begin_of_text|>}). */
    String specialText(int id);

    /** True for ids that end a generation (EOS, EOT, {@code <|im_end|>}, ...). */
    boolean isEndOfGeneration(int id);

    /** The BOS id, or -1 when the model has none. */
    int bos();

    /** The EOS id, or -1 when the model has none. */
    int eos();
}
