package dev.panllama.tokenizer;

import dev.panllama.tokenizer.SpecialTokenSplitter.Fragment;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

/**
 * What SentencePiece and byte-level BPE tokenizers share: the vocabulary, special-token handling,
 * BOS/EOS, and decoding through per-token byte strings (computed once, like llama.cpp's piece cache).
 */
abstract sealed class VocabTokenizer permits SpmTokenizer, BpeTokenizer {
    final Vocabulary vocab;
    private final SpecialTokenSplitter specials;
    private byte[][] pieces;

    VocabTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.specials = new SpecialTokenSplitter(vocab);
    }

    /** Called at the end of a subclass constructor, once {@link #pieceOf} can run. */
    final void cachePieces() {
        pieces = new byte[vocab.size()][];
        for (int i = 0; i < pieces.length; i++) pieces[i] = pieceOf(i);
    }

    /** The bytes of token {@code id} (special tokens rendered as their text). */
    abstract byte[] pieceOf(int id);

    /** Appends the ids of the text fragments; special-token fragments are already cut out. */
    abstract void encodeFragments(String text, List<Fragment> fragments, IntList out);

    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && vocab.addBos) out.add(vocab.bos);
        encodeFragments(text, specials.split(text, parseSpecial), out);
        if (addSpecial && vocab.addEos) out.add(vocab.eos);
        return out.toArray();
    }

    public final String decode(int[] ids) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(ids.length * 4);
        // Only SentencePiece encoding puts the prefix space in, so only there is it taken out.
        boolean stripSpace = vocab.kind == Vocabulary.Kind.SPM && vocab.addSpacePrefix;
        for (int id : ids) {
            checkId(id);
            if (vocab.has(id, TokenAttr.CONTROL | TokenAttr.UNKNOWN)) continue;
            byte[] p = pieces[id];
            int skip = stripSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            if (p.length > 0) stripSpace = false;
            buf.write(p, skip, p.length - skip);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Whether {@link #detokenize} applies llama.cpp's space clean-up for this vocabulary. */
    abstract boolean cleanSpaces();

    public final String detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0, to = ids.length;
        boolean removeSpace = vocab.addSpacePrefix;
        if (removeSpecial && vocab.addBos && to > 0 && ids[0] == vocab.bos) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && vocab.addEos && to > from && ids[to - 1] == vocab.eos) to--;
        ByteArrayOutputStream buf = new ByteArrayOutputStream((to - from) * 4);
        for (int i = from; i < to; i++) {
            checkId(ids[i]);
            boolean hidden = !unparseSpecial && vocab.has(ids[i], TokenAttr.CONTROL | TokenAttr.UNKNOWN);
            byte[] p = pieces[ids[i]];
            if (!hidden) {
                int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
                buf.write(p, skip, p.length - skip);
            }
            removeSpace = false;
        }
        byte[] text = buf.toByteArray();
        int n = cleanSpaces() ? SpaceCleanup.apply(text, text.length) : text.length;
        return new String(text, 0, n, StandardCharsets.UTF_8);
    }

    /** The cached piece, not copied: for callers in this package that only read it. */
    final byte[] pieceBytes(int id) {
        checkId(id);
        return pieces[id];
    }

    public final byte[] tokenBytes(int id) {
        return pieceBytes(id).clone();
    }

    public final String piece(int id) {
        return new String(pieceBytes(id), StandardCharsets.UTF_8);
    }

    public final int vocabSize() {
        return vocab.size();
    }

    public final int bos() {
        return vocab.bos;
    }

    public final int eos() {
        return vocab.eos;
    }

    public final OptionalInt eot() {
        return vocab.eot >= 0 ? OptionalInt.of(vocab.eot) : OptionalInt.empty();
    }

    public final boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    public final boolean addBos() {
        return vocab.addBos;
    }

    public final boolean addEos() {
        return vocab.addEos;
    }

    public final OptionalInt tokenId(String text) {
        int id = vocab.index.get(text.getBytes(StandardCharsets.UTF_8));
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    public final boolean isControl(int id) {
        checkId(id);
        return vocab.has(id, TokenAttr.CONTROL);
    }

    final void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new TokenizerException("token id " + id + " is outside the vocabulary (size " + vocab.size() + ")");
        }
    }

    /**
     * The byte of a byte token ({@code <0x41>}). A byte-typed token spelled otherwise (a converter's
     * mistake) stands for its own text, rather than failing the whole vocabulary.
     */
    final byte[] byteTokenPiece(int id) {
        String t = vocab.texts[id];
        if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(t, 3, 5, 16)};
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        System.getLogger(VocabTokenizer.class.getName()).log(System.Logger.Level.WARNING,
                "byte token {0} ''{1}'' is not of the form <0xNN>; using its text", id, t);
        return vocab.bytes[id];
    }
}
