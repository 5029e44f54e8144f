package dev.panllama.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies jinja2's whitespace rules at the source level, as transformers configures them (trim_blocks,
 * lstrip_blocks, and the {@code -}/{@code +} markers), and drops comments, so that Jinjava renders the text
 * verbatim with its own trimming off. Jinjava's lstrip_blocks differs: it strips spaces before any tag, even
 * after other text on the same line.
 *
 * <p>The rules, as jinja2's lexer applies them:
 * <ul>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-}: strip all whitespace before the tag; {@code -%}}, {@code -}}},
 *       {@code -#}}: strip all whitespace after it;</li>
 *   <li>trim_blocks: a block tag or comment ({@code %}}, {@code #}}) eats one "\n" right after it;</li>
 *   <li>lstrip_blocks: spaces and tabs between a line start and a block tag or comment are dropped, unless the
 *       tag opens with {@code +}; a line starts after a newline or at a tag end that consumed one.</li>
 * </ul>
 */
final class WhitespaceControl {

    private WhitespaceControl() {}

    enum Kind { TEXT, VARIABLE, BLOCK, COMMENT }

    /** One lexed piece: text, or a tag with its inner code and whitespace markers ('-', '+' or 0). */
    record Piece(Kind kind, String text, char leftSign, char rightSign) {}

    /** Splits a template into text and tags; an unclosed tag runs to the end (the engine reports it). */
    static List<Piece> lex(String source) {
        List<Piece> pieces = new ArrayList<>();
        int i = 0;
        int textStart = 0;
        boolean raw = false;
        while (i < source.length() - 1) {
            char c = source.charAt(i);
            char next = source.charAt(i + 1);
            if (c != '{' || (next != '{' && next != '%' && next != '#')) {
                i++;
                continue;
            }
            Kind kind = next == '{' ? Kind.VARIABLE : next == '%' ? Kind.BLOCK : Kind.COMMENT;
            if (raw && kind != Kind.BLOCK) {
                i++;
                continue;
            }
            int end = kind == Kind.COMMENT ? commentEnd(source, i) : codeEnd(source, i, kind == Kind.VARIABLE ? '}' : '%');
            int innerStart = i + 2;
            char left = innerStart < end && isSign(source.charAt(innerStart)) ? source.charAt(innerStart) : 0;
            if (left != 0) {
                innerStart++;
            }
            boolean closed = end <= source.length() && source.startsWith(kind == Kind.VARIABLE ? "}}" : kind == Kind.BLOCK
                    ? "%}" : "#}", end - 2) && end - 2 >= innerStart;
            int innerEnd = closed ? end - 2 : end;
            char right = closed && innerEnd - 1 >= innerStart && isSign(source.charAt(innerEnd - 1))
                    ? source.charAt(innerEnd - 1) : 0;
            if (right != 0) {
                innerEnd--;
            }
            String inner = source.substring(innerStart, innerEnd);
            if (kind == Kind.BLOCK) {
                String word = inner.strip();
                if (raw && !word.equals("endraw")) {
                    i++;
                    continue;
                }
                raw = word.equals("raw");
            }
            pieces.add(new Piece(Kind.TEXT, source.substring(textStart, i), (char) 0, (char) 0));
            pieces.add(new Piece(kind, inner, left, right));
            i = end;
            textStart = end;
        }
        pieces.add(new Piece(Kind.TEXT, source.substring(textStart), (char) 0, (char) 0));
        return pieces;
    }

    /**
     * The text pieces with jinja2's whitespace rules applied (tags keep no markers; comments vanish).
     * {@code lineStarting} follows jinja2's lexer: true at the start and after a tag end that consumed a "\n".
     */
    static List<Piece> apply(List<Piece> pieces) {
        List<Piece> out = new ArrayList<>(pieces.size());
        boolean lineStarting = true;
        for (int k = 0; k < pieces.size(); k++) {
            Piece p = pieces.get(k);
            if (p.kind() != Kind.TEXT) {
                if (p.kind() != Kind.COMMENT) {
                    out.add(new Piece(p.kind(), p.text(), (char) 0, (char) 0));
                }
                continue;
            }
            String text = p.text();
            Piece before = k > 0 ? pieces.get(k - 1) : null;
            if (before != null) {
                int consumedStart = 0;
                if (before.rightSign() == '-') {
                    consumedStart = leadingWhitespace(text);
                }
                boolean trims = before.kind() == Kind.BLOCK || before.kind() == Kind.COMMENT;
                if (trims && before.rightSign() != '+' && text.startsWith("\n", consumedStart)) {
                    consumedStart++;
                }
                // The "+" marker after a tag only disables trim_blocks; jinja2 then consumes nothing.
                lineStarting = consumedStart > 0 ? text.charAt(consumedStart - 1) == '\n' : before == null;
                text = text.substring(consumedStart);
            }
            Piece after = k + 1 < pieces.size() ? pieces.get(k + 1) : null;
            if (after != null) {
                if (after.leftSign() == '-') {
                    text = PythonStrings.strip(text, null, false, true);
                } else if (after.leftSign() != '+' && (after.kind() == Kind.BLOCK || after.kind() == Kind.COMMENT)) {
                    int lineStart = text.lastIndexOf('\n') + 1;
                    if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                            && isBlank(text, lineStart)) {
                        text = text.substring(0, lineStart);
                    }
                }
            }
            out.add(new Piece(Kind.TEXT, text, (char) 0, (char) 0));
        }
        return out;
    }

    private static boolean isBlank(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!PythonStrings.isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int leadingWhitespace(String text) {
        int i = 0;
        while (i < text.length() && PythonStrings.isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSign(char c) {
        return c == '-' || c == '+';
    }

    private static int commentEnd(String source, int open) {
        int close = source.indexOf("#}", open + 2);
        return close < 0 ? source.length() : close + 2;
    }

    /** End (exclusive) of the {@code {{ }}} or {@code {% %}} opening at {@code open}, skipping string literals. */
    private static int codeEnd(String source, int open, char closer) {
        for (int i = open + 2; i < source.length() - 1; i++) {
            char c = source.charAt(i);
            if (c == '\'' || c == '"') {
                i = ExpressionScanner.skipString(source, i);
            } else if (c == closer && source.charAt(i + 1) == '}') {
                return i + 2;
            }
        }
        return source.length();
    }
}
