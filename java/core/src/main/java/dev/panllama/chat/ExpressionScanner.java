package dev.panllama.chat;

/** Finds tokens in a Jinja expression's text while skipping string literals and bracketed parts. */
final class ExpressionScanner {

    private ExpressionScanner() {}

    /** Index of the first top-level occurrence of {@code keyword} as a whole word at or after {@code from}, or -1. */
    static int findKeyword(String text, String keyword, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipString(text, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && text.startsWith(keyword, i) && boundary(text, i - 1)
                    && boundary(text, i + keyword.length())) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the closing quote of the string literal opening at {@code start}. */
    static int skipString(String text, int start) {
        char quote = text.charAt(start);
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return text.length() - 1;
    }

    private static boolean boundary(String text, int i) {
        return i < 0 || i >= text.length() || !(Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_');
    }
}
