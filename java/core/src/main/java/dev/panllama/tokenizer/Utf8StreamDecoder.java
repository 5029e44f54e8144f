package dev.panllama.tokenizer;

/**
 * Turns a stream of tokens (or raw bytes) into text as it arrives, emitting only complete UTF-8
 * characters: a character split across tokens comes out once its last byte arrives. Invalid bytes
 * become U+FFFD, one per maximal invalid subpart, exactly as Python's {@code errors="replace"}
 * decoder and Java's own decoder do. Not thread-safe: one per generation stream.
 */
public final class Utf8StreamDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final VocabTokenizer tokenizer;
    private final boolean renderSpecial;
    private final byte[] pending = new byte[4];
    private int pendingCount;

    /**
     * @param tokenizer     the tokenizer whose ids will be fed, or null to feed bytes only
     * @param renderSpecial whether control tokens ({@code <|im_end|>}, BOS, ...) are written as their text
     */
    public Utf8StreamDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = (VocabTokenizer) tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** A decoder that leaves control tokens out, as llama.cpp prints generated text. */
    public Utf8StreamDecoder(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    /** Feeds one token; returns the text it completes (possibly empty). */
    public String accept(int tokenId) {
        StringBuilder sb = new StringBuilder(8);
        accept(tokenId, sb);
        return sb.toString();
    }

    /** Feeds one token, appending the text it completes to {@code out}. */
    public void accept(int tokenId, StringBuilder out) {
        if (tokenizer == null) throw new IllegalStateException("this decoder was made without a tokenizer");
        byte[] piece = tokenizer.pieceBytes(tokenId);
        if (!renderSpecial && tokenizer.vocab.has(tokenId, TokenAttr.CONTROL | TokenAttr.UNKNOWN)) return;
        acceptBytes(piece, 0, piece.length, out);
    }

    /**
     * Feeds the bytes of token {@code tokenId} of {@code tokenizer}, whatever its attributes (as
     * {@link Tokenizer#tokenBytes} gives them), without copying them: for a generation's per-token path.
     */
    public void acceptPiece(Tokenizer tokenizer, int tokenId, StringBuilder out) {
        byte[] piece = ((VocabTokenizer) tokenizer).pieceBytes(tokenId);
        acceptBytes(piece, 0, piece.length, out);
    }

    /** Feeds bytes, appending the complete characters among them (and any held back before) to {@code out}. */
    public void acceptBytes(byte[] bytes, int off, int len, StringBuilder out) {
        java.util.Objects.checkFromIndexSize(off, len, bytes.length);
        for (int i = off; i < off + len; i++) {
            pending[pendingCount++] = bytes[i];
            drain(out, false);
        }
    }

    /** Ends the stream: an incomplete character left over becomes U+FFFD. */
    public String flush() {
        StringBuilder sb = new StringBuilder(2);
        drain(sb, true);
        return sb.toString();
    }

    /** Forgets any held-back bytes. */
    public void reset() {
        pendingCount = 0;
    }

    /** Whether bytes of an unfinished character are held back. */
    public boolean hasPending() {
        return pendingCount > 0;
    }

    /** Decodes what can be decoded from {@link #pending}; keeps a valid unfinished prefix unless at the end. */
    private void drain(StringBuilder out, boolean end) {
        int i = 0;
        while (i < pendingCount) {
            int b0 = pending[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80, hi = 0xBF; // allowed range of the second byte
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int matched = 1;
            int cp = b0 & (0x3F >> need);
            boolean invalid = false;
            while (matched <= need && i + matched < pendingCount) {
                int b = pending[i + matched] & 0xFF;
                boolean ok = matched == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF;
                if (!ok) {
                    invalid = true;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
                matched++;
            }
            if (invalid) {
                out.append(REPLACEMENT); // the valid prefix so far is one maximal invalid subpart
                i += matched;
            } else if (matched == need + 1) {
                out.appendCodePoint(cp);
                i += matched;
            } else if (end) {
                out.append(REPLACEMENT);
                i += matched;
            } else {
                break; // unfinished: wait for more bytes
            }
        }
        System.arraycopy(pending, i, pending, 0, pendingCount - i);
        pendingCount -= i;
    }
}
