package dev.panllama.tokenizer;

import dev.panllama.gguf.Metadata;

import java.util.OptionalInt;

/**
 * Text to token ids and back, exactly as llama.cpp does it for the same GGUF vocabulary.
 * Instances are immutable and safe to share between threads.
 */
public sealed interface Tokenizer permits SpmTokenizer, BpeTokenizer {

    /**
     * The tokenizer a GGUF file describes, chosen by {@code tokenizer.ggml.model}:
     * {@code llama} is SentencePiece-style BPE, {@code gpt2} is byte-level BPE.
     *
     * @throws TokenizerException for another model, an unknown pre-tokenizer or unusable metadata
     */
    static Tokenizer fromMetadata(Metadata metadata) {
        String key = Vocabulary.KEY + "model";
        if (!metadata.has(key)) throw new TokenizerException("no tokenizer in this file: " + key + " is missing");
        String model = metadata.getString(key);
        return switch (model) {
            case "llama" -> new SpmTokenizer(metadata);
            case "gpt2" -> new BpeTokenizer(metadata);
            default -> throw new TokenizerException("unsupported tokenizer model '" + model
                    + "' (supported: 'llama' = SentencePiece BPE, 'gpt2' = byte-level BPE)");
        };
    }

    /**
     * Token ids of {@code text}.
     *
     * @param addSpecial   add BOS/EOS where the vocabulary asks for them ({@link #addBos()}, {@link #addEos()})
     * @param parseSpecial recognise control tokens written in the text (e.g. {@code <|im_start|>});
     *                     user-defined tokens are always recognised, as in llama.cpp
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of token ids: their bytes joined and read as UTF-8 (invalid sequences become U+FFFD).
     * Control and unknown tokens (BOS, EOS, {@code <|im_end|>}, ...) are left out; for SentencePiece
     * vocabularies that add a space prefix, the first piece's leading space is dropped, so that
     * {@code decode(encode(s, false, false))} gives back {@code s} for any text the vocabulary covers.
     */
    String decode(int[] ids);

    /**
     * llama.cpp's llama_detokenize, byte for byte: {@code removeSpecial} drops a leading BOS and a
     * trailing EOS where the vocabulary adds them; {@code unparseSpecial} writes control tokens as
     * their text; SentencePiece drops the first token's leading space; most byte-level vocabularies
     * then remove spaces before punctuation and some contractions (" ," becomes ","), which
     * {@link #decode} does not.
     */
    String detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial);

    /** The bytes a token stands for (llama.cpp's token_to_piece with special tokens rendered). A fresh copy. */
    byte[] tokenBytes(int id);

    /** {@link #tokenBytes} as text; a piece of a multi-byte character comes out as U+FFFD. */
    String piece(int id);

    int vocabSize();

    /** Beginning-of-sequence token, or -1 if the vocabulary has none. */
    int bos();

    /** End-of-sequence token, or -1 if the vocabulary has none. */
    int eos();

    /** End-of-turn token ({@code <|im_end|>}, {@code <|eot_id|>}, {@code <|end|>}, ...), if any. */
    OptionalInt eot();

    /** Whether generation stops at this token: EOS, EOT, EOM and the other end tokens llama.cpp knows. */
    boolean isEndOfGeneration(int id);

    /** Whether {@code encode(text, true, ...)} starts with BOS. */
    boolean addBos();

    /** Whether {@code encode(text, true, ...)} ends with EOS. */
    boolean addEos();

    /** The token whose text is exactly {@code text} (as stored in the vocabulary), if any. */
    OptionalInt tokenId(String text);

    /** Whether a token is a control token (not meant to be shown as text). */
    boolean isControl(int id);
}
