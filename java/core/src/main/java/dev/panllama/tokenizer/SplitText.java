package dev.panllama.tokenizer;

/**
 * The text a pre-tokenizer splits, as code points, with the two views llama.cpp's regex fallback
 * matches against, built on first use: "collapsed" (one char per code point; every non-ASCII code
 * point replaced by a stand-in for its category, so \p{L} and friends become plain character
 * classes) and "wide" (the code points themselves, non-ASCII whitespace replaced by \u000B).
 */
final class SplitText {
    static final char COLLAPSED_OTHER = '\u00D0';
    static final char COLLAPSED_NUMBER = '\u00D1';
    static final char COLLAPSED_LETTER = '\u00D2';
    static final char COLLAPSED_PUNCTUATION = '\u00D3';
    static final char COLLAPSED_MARK = '\u00D4';
    static final char COLLAPSED_SYMBOL = '\u00D5';
    static final char COLLAPSED_WHITESPACE = '\u000B';

    final int[] cps;
    private String collapsed;
    private String wide;
    private int[] wideCharToCp;

    SplitText(int[] cps) {
        this.cps = cps;
    }

    /** Code point at {@code pos} if inside {@code [from, to)}, else -1. */
    int cpAt(int pos, int from, int to) {
        return pos >= from && pos < to ? cps[pos] : -1;
    }

    /** Flags at {@code pos} if inside {@code [from, to)}, else 0. */
    int flagsAt(int pos, int from, int to) {
        return pos >= from && pos < to ? CodepointFlags.of(cps[pos]) : 0;
    }

    String collapsed() {
        if (collapsed == null) {
            char[] c = new char[cps.length];
            for (int i = 0; i < cps.length; i++) {
                int cp = cps[i];
                if (cp < 128) {
                    c[i] = (char) cp;
                    continue;
                }
                int f = CodepointFlags.of(cp);
                if ((f & CodepointFlags.WHITESPACE) != 0) {
                    c[i] = COLLAPSED_WHITESPACE;
                } else {
                    c[i] = switch (f & CodepointFlags.CATEGORY_MASK) {
                        case CodepointFlags.NUMBER -> COLLAPSED_NUMBER;
                        case CodepointFlags.LETTER -> COLLAPSED_LETTER;
                        case CodepointFlags.PUNCTUATION -> COLLAPSED_PUNCTUATION;
                        case CodepointFlags.MARK -> COLLAPSED_MARK;
                        case CodepointFlags.SYMBOL -> COLLAPSED_SYMBOL;
                        default -> COLLAPSED_OTHER;
                    };
                }
            }
            collapsed = new String(c);
        }
        return collapsed;
    }

    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length + 16);
            boolean supplementary = false;
            for (int cp : cps) {
                if (cp > 0x7F && CodepointFlags.isWhitespace(cp)) cp = COLLAPSED_WHITESPACE;
                supplementary |= cp > 0xFFFF;
                sb.appendCodePoint(cp);
            }
            wide = sb.toString();
            if (supplementary) {
                wideCharToCp = new int[wide.length() + 1];
                int cpIndex = 0;
                for (int i = 0; i < wide.length(); i++) {
                    wideCharToCp[i] = cpIndex;
                    if (!Character.isHighSurrogate(wide.charAt(i)) || i + 1 >= wide.length()) cpIndex++;
                }
                wideCharToCp[wide.length()] = cpIndex;
            }
        }
        return wide;
    }

    /** Char index in {@link #wide()} of code point {@code cp}. */
    int wideCharIndex(int cp) {
        wide();
        if (wideCharToCp == null) return cp;
        int lo = 0, hi = wideCharToCp.length - 1;
        while (lo < hi) { // first char index whose code point index is >= cp
            int mid = (lo + hi) >>> 1;
            if (wideCharToCp[mid] < cp) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** Code point index of char index {@code ch} in {@link #wide()}. */
    int wideCpIndex(int ch) {
        return wideCharToCp == null ? ch : wideCharToCp[ch];
    }
}
