package dev.panllama.tokenizer;

/** Small UTF-8 helpers that work on caller-owned buffers (no allocation per character). */
final class Utf8 {
    static final int REPLACEMENT = 0xFFFD;

    private Utf8() {}

    /** Length of the sequence a lead byte announces, as llama.cpp's unicode_len_utf8 reads it. */
    static int sequenceLength(byte lead) {
        int hi = (lead & 0xFF) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    /** Number of bytes {@code cp} takes in UTF-8. */
    static int encodedLength(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** Writes {@code cp} at {@code pos}; returns the position after it. The buffer must have room for 4 bytes. */
    static int encode(int cp, byte[] out, int pos) {
        if (cp < 0x80) {
            out[pos++] = (byte) cp;
        } else if (cp < 0x800) {
            out[pos++] = (byte) (0xC0 | (cp >> 6));
            out[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[pos++] = (byte) (0xE0 | (cp >> 12));
            out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            out[pos++] = (byte) (0xF0 | (cp >> 18));
            out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[pos++] = (byte) (0x80 | (cp & 0x3F));
        }
        return pos;
    }

    /** Code points of a Java string; an unpaired surrogate becomes U+FFFD. */
    static int[] codepoints(CharSequence s, int from, int to) {
        int[] out = new int[to - from];
        int n = 0;
        for (int i = from; i < to; ) {
            char c = s.charAt(i++);
            int cp = c;
            if (Character.isHighSurrogate(c) && i < to && Character.isLowSurrogate(s.charAt(i))) {
                cp = Character.toCodePoint(c, s.charAt(i++));
            } else if (Character.isSurrogate(c)) {
                cp = REPLACEMENT;
            }
            out[n++] = cp;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
