package dev.panllama.chat;

/**
 * {@code not a == b}: jinja2 negates the comparison ({@code not} binds looser than comparisons, {@code in} and
 * {@code is}, tighter than {@code and}/{@code or}); Jinjava's {@code not} binds to the next operand only. This
 * rewrites each {@code not X} into {@code !(X)}, X running to the next top-level and/or/if/else, comma or
 * closing bracket. {@code not in} and {@code is not} are operators of their own and stay.
 */
final class NotPrecedence {

    private NotPrecedence() {}

    static String rewrite(String code) {
        String s = code;
        int from = 0;
        while (true) {
            int at = nextNot(s, from);
            if (at < 0) {
                return s;
            }
            int operandStart = at + 3;
            int operandEnd = operandEnd(s, operandStart);
            s = s.substring(0, at) + "!(" + s.substring(operandStart, operandEnd).trim() + ")" + s.substring(operandEnd);
            from = at + 2;
        }
    }

    /** The next {@code not} that is a unary operator, outside strings; -1 if none. */
    private static int nextNot(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = ExpressionScanner.skipString(s, i);
            } else if (isWordAt(s, i, "not") && !previousWord(s, i).equals("is") && !nextWord(s, i + 3).equals("in")) {
                return i;
            }
        }
        return -1;
    }

    private static int operandEnd(String s, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = ExpressionScanner.skipString(s, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (depth == 0 && (c == ',' || isWordAt(s, i, "and") || isWordAt(s, i, "or")
                    || isWordAt(s, i, "if") || isWordAt(s, i, "else"))) {
                return i;
            }
        }
        return s.length();
    }

    static boolean isWordAt(String s, int i, String word) {
        return s.startsWith(word, i) && !wordChar(s, i - 1) && !wordChar(s, i + word.length());
    }

    private static boolean wordChar(String s, int i) {
        return i >= 0 && i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_');
    }

    private static String previousWord(String s, int end) {
        int i = end - 1;
        while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
            i--;
        }
        int stop = i + 1;
        while (i >= 0 && wordChar(s, i)) {
            i--;
        }
        return s.substring(i + 1, stop);
    }

    private static String nextWord(String s, int start) {
        int i = start;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int begin = i;
        while (i < s.length() && wordChar(s, i)) {
            i++;
        }
        return s.substring(begin, i);
    }
}
