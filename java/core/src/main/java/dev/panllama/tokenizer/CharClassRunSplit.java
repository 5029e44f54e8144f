package dev.panllama.tokenizer;

import java.util.regex.Pattern;

/**
 * A regex of the form {@code \s?[class]+} (or without {@code \s?} or {@code +}) matched by hand:
 * Java's regex engine tests a character against a class of a hundred ranges one range at a time,
 * which made DeepSeek's letter class the slowest step of all. Membership is still decided by Java's
 * regex (so the class means exactly what it says), once per distinct character, then remembered.
 * Matches run on the "wide" view of the text, as {@link RegexSplit} would.
 */
final class CharClassRunSplit implements SplitRule {
    private static final Pattern SHAPE = Pattern.compile("(\\\\s\\?)?(\\[(?:[^\\]\\\\]|\\\\.)*\\])(\\+)?");

    private final String source;
    private final Pattern charClass;
    private final boolean optionalSpace;
    private final boolean repeat;
    /** Per code point: 0 = not yet known, 1 = in the class, 2 = not. */
    private final byte[] known = new byte[CodepointFlags.MAX_CODEPOINT + 1];

    private CharClassRunSplit(String source, String charClass, boolean optionalSpace, boolean repeat) {
        this.source = source;
        this.charClass = Pattern.compile(charClass);
        this.optionalSpace = optionalSpace;
        this.repeat = repeat;
    }

    /** The hand matcher for a regex of the supported shape, or null. */
    static CharClassRunSplit ifSimple(String regex) {
        var m = SHAPE.matcher(regex);
        if (!m.matches() || m.group(2).startsWith("[^")) return null;
        return new CharClassRunSplit(regex, m.group(2), m.group(1) != null, m.group(3) != null);
    }

    String source() {
        return source;
    }

    private boolean inClass(int cp) {
        if (cp > 0x7F && CodepointFlags.isWhitespace(cp)) cp = SplitText.COLLAPSED_WHITESPACE; // the wide view
        byte k = known[cp];
        if (k == 0) {
            k = charClass.matcher(Character.toString(cp)).matches() ? (byte) 1 : (byte) 2;
            known[cp] = k; // benign race: every thread computes the same value
        }
        return k == 1;
    }

    /** ECMAScript's \s as llama.cpp's std::wregex sees the wide text: ASCII whitespace, and non-ASCII as \u000B. */
    private static boolean isSpace(int cp) {
        return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp > 0x7F && CodepointFlags.isWhitespace(cp));
    }

    @Override
    public void split(SplitText t, IntList chunks, IntList out) {
        int[] cps = t.cps;
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int from = start, to = start + chunks.get(c);
            start = to;
            int prev = from;
            int p = from;
            while (p < to) {
                int matchStart;
                if (optionalSpace && isSpace(cps[p]) && p + 1 < to && inClass(cps[p + 1])) {
                    matchStart = p;
                    p += 2;
                } else if (inClass(cps[p])) {
                    matchStart = p;
                    p += 1;
                } else {
                    p++;
                    continue;
                }
                if (repeat) {
                    while (p < to && inClass(cps[p])) p++;
                }
                if (matchStart > prev) out.add(matchStart - prev);
                out.add(p - matchStart);
                prev = p;
            }
            if (to > prev) out.add(to - prev);
        }
    }
}
