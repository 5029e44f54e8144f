package dev.panllama;

/**
 * Decodes UTF-8 that arrives in pieces (one token at a time) so a character split across tokens
 * comes out whole, once, when its last byte arrives. Malformed bytes become U+FFFD. One per
 * generation; reuses its buffer.
 */
final class Utf8StreamDecoder {
    private final StringBuilder out = new StringBuilder(16);
    private int codePoint;
    private int needed;
    private int min;

    /** The characters completed by {@code bytes} (possibly empty). */
    String decode(byte[] bytes) {
        out.setLength(0);
        for (byte b : bytes) accept(b & 0xFF);
        return out.toString();
    }

    /** True while a character has started but not finished. */
    boolean hasPending() {
        return needed > 0;
    }

    /** Ends the stream: U+FFFD for an unfinished character, else the empty string. */
    String flush() {
        if (needed == 0) return "";
        needed = 0;
        return "\uFFFD";
    }

    private void accept(int b) {
        if (needed > 0) {
            if ((b & 0xC0) == 0x80) {
                codePoint = (codePoint << 6) | (b & 0x3F);
                if (--needed == 0) {
                    boolean valid = codePoint >= min && codePoint <= 0x10FFFF
                            && (codePoint < 0xD800 || codePoint > 0xDFFF);
                    if (valid) out.appendCodePoint(codePoint);
                    else out.append('\uFFFD');
                }
                return;
            }
            // the sequence broke off: replace what came so far and start again with this byte
            out.append('\uFFFD');
            needed = 0;
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            start(b & 0x1F, 1, 0x80);
        } else if (b >= 0xE0 && b <= 0xEF) {
            start(b & 0x0F, 2, 0x800);
        } else if (b >= 0xF0 && b <= 0xF4) {
            start(b & 0x07, 3, 0x10000);
        } else {
            out.append('\uFFFD');
        }
    }

    private void start(int bits, int continuationBytes, int minimum) {
        codePoint = bits;
        needed = continuationBytes;
        min = minimum;
    }
}
