package dev.panllama.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex run the way llama.cpp runs the ones it has no hand-written splitter for.
 * A regex that uses Unicode categories (\p{L}, \p{N}, \p{P}, \p{M}, \p{S}) is matched against the
 * "collapsed" text, where each category is one stand-in character, with each \p{..} rewritten to a
 * class of that stand-in plus the ASCII members llama.cpp lists (so, like llama.cpp, it cannot tell
 * upper from lower case outside ASCII). Any other regex is matched against the code points directly.
 * Both the matches and the text between them become pieces.
 */
record RegexSplit(String source, Pattern pattern, boolean collapsed) implements SplitRule {

    /** llama.cpp's category stand-ins and the ASCII characters it puts in each category. */
    private static final Map<String, String> CATEGORY_CLASS = Map.of(
            "\\p{N}", SplitText.COLLAPSED_NUMBER + "0-9",
            "\\p{L}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lu}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Ll}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lt}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lm}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lo}", SplitText.COLLAPSED_LETTER + "A-Za-z",
            "\\p{P}", SplitText.COLLAPSED_PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "\\p{M}", String.valueOf(SplitText.COLLAPSED_MARK),
            "\\p{S}", SplitText.COLLAPSED_SYMBOL + "\\$\\+<->^`\\|");

    /** A regex written for llama.cpp (ECMAScript syntax), as the fastest rule that matches exactly like it. */
    static SplitRule of(String llamaRegex) {
        if (CATEGORY_CLASS.keySet().stream().noneMatch(llamaRegex::contains)) {
            SplitRule simple = CharClassRunSplit.ifSimple(llamaRegex);
            if (simple != null) return simple;
        }
        return compile(llamaRegex);
    }

    /** Compiles a regex written for llama.cpp to run on java.util.regex. */
    static RegexSplit compile(String llamaRegex) {
        boolean usesCategories = CATEGORY_CLASS.keySet().stream().anyMatch(llamaRegex::contains);
        if (usesCategories && llamaRegex.codePoints().anyMatch(cp -> cp >= 128)) {
            throw new IllegalArgumentException("regex mixes Unicode categories and non-ASCII characters: " + llamaRegex);
        }
        String java = usesCategories ? collapse(llamaRegex) : llamaRegex;
        return new RegexSplit(llamaRegex, Pattern.compile(toJavaSyntax(java)), usesCategories);
    }

    /** Rewrites each \p{..} as a class of its stand-in character (merged into an enclosing class). */
    private static String collapse(String regex) {
        StringBuilder sb = new StringBuilder(regex.length() + 32);
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inClass = true;
            } else if (c == ']' && inClass && !escaped) {
                inClass = false;
            } else if (c == '\\' && i + 2 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                String cls = close > 0 ? CATEGORY_CLASS.get(regex.substring(i, close + 1)) : null;
                if (cls != null) {
                    sb.append(inClass ? cls : "[" + cls + "]");
                    i = close;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** ECMAScript's {@code $} (no multiline) matches only at the very end; Java's also before a final newline. */
    private static String toJavaSyntax(String regex) {
        StringBuilder sb = new StringBuilder(regex.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                sb.append(c).append(regex.charAt(++i));
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            if (c == '$' && !inClass) sb.append("\\z");
            else sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public void split(SplitText t, IntList chunks, IntList out) {
        String text = collapsed ? t.collapsed() : t.wide();
        Matcher m = pattern.matcher(text);
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int from = start, to = start + chunks.get(c);
            start = to;
            int regionFrom = collapsed ? from : t.wideCharIndex(from);
            int regionTo = collapsed ? to : t.wideCharIndex(to);
            m.region(regionFrom, regionTo);
            int prev = from;
            while (m.find()) {
                int ms = collapsed ? m.start() : t.wideCpIndex(m.start());
                int me = collapsed ? m.end() : t.wideCpIndex(m.end());
                if (ms > prev) out.add(ms - prev);
                if (me > ms) out.add(me - ms);
                prev = me;
            }
            if (to > prev) out.add(to - prev);
        }
    }
}
