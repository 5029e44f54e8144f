package dev.panllama.tokenizer;

/**
 * Unicode character classes as llama.cpp's tokenizer sees them: exactly one general-category
 * flag per code point (\p{N}, \p{L}, \p{Z}, \p{M}, \p{P}, \p{S}, \p{C}; unassigned counts as C,
 * as Python's regex module reports it) plus the White_Space property. Backed by one byte per
 * code point, built once from the JDK's Unicode tables.
 */
final class CodepointFlags {
    static final int NUMBER = 1;
    static final int LETTER = 1 << 1;
    static final int SEPARATOR = 1 << 2;
    static final int MARK = 1 << 3;
    static final int PUNCTUATION = 1 << 4;
    static final int SYMBOL = 1 << 5;
    static final int CONTROL = 1 << 6;
    static final int WHITESPACE = 1 << 7;
    static final int CATEGORY_MASK = WHITESPACE - 1;

    static final int MAX_CODEPOINT = 0x10FFFF;

    private static final byte[] TABLE = build();

    private CodepointFlags() {}

    /** Flags of a code point; 0 for values outside Unicode (llama.cpp's "out of range"). */
    static int of(int cp) {
        return cp >= 0 && cp <= MAX_CODEPOINT ? TABLE[cp] & 0xFF : 0;
    }

    static boolean isLetter(int cp) { return (of(cp) & LETTER) != 0; }
    static boolean isNumber(int cp) { return (of(cp) & NUMBER) != 0; }
    static boolean isWhitespace(int cp) { return (of(cp) & WHITESPACE) != 0; }

    private static byte[] build() {
        byte[] t = new byte[MAX_CODEPOINT + 1];
        for (int cp = 0; cp <= MAX_CODEPOINT; cp++) {
            int f = switch (Character.getType(cp)) {
                case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
                case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                     Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
                case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
                case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
                case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                     Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                     Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> PUNCTUATION;
                case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                     Character.OTHER_SYMBOL -> SYMBOL;
                default -> CONTROL; // Cc, Cf, Co, Cs, Cn
            };
            t[cp] = (byte) f;
        }
        // White_Space property (what Python's regex module matches with \s).
        int[] ws = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
        for (int cp : ws) t[cp] |= (byte) WHITESPACE;
        for (int cp = 0x2000; cp <= 0x200A; cp++) t[cp] |= (byte) WHITESPACE;
        return t;
    }
}
