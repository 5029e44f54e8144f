package dev.panllama.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few jinja2 expression forms Jinjava's parser lacks into equivalents it has, touching only the
 * code inside {@code {{ }}} and {@code {% %}} (never template text, comments, raw blocks or string literals).
 */
final class TemplatePreprocessor {

    /** {@code x[::-1]}: a reversed copy. */
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-\\s*1\\s*]");

    /**
     * {@code path is [not] defined/undefined}, path being a name followed by {@code .attr} / {@code [key]} steps.
     * Jinjava's test sees only the value, so a key or name bound to None would count as undefined.
     */
    private static final Pattern DEFINED_TEST = Pattern.compile(
            "(?<![\\w.\\])'\"])([A-Za-z_]\\w*(?:\\s*(?:\\.\\s*[A-Za-z_]\\w*|\\[[^\\[\\]]*]))*)"
                    + "\\s+is\\s+(not\\s+)?(defined|undefined)\\b");

    /** {@code a+1}: Jinjava's scanner reads "+1" as one token; a space after the operator parses the same. */
    private static final Pattern PLUS_DIGIT = Pattern.compile("\\+(?=\\d)");

    /** A keyword argument's name: {@code name=} but not {@code name==}. */
    private static final Pattern KEYWORD_ARGUMENT = Pattern.compile("\\s*[A-Za-z_]\\w*\\s*=(?!=)");

    /** A value that needs no parentheses: one literal or dotted name. */
    private static final Pattern SIMPLE_VALUE = Pattern.compile("\\s*('[^']*'|\"[^\"]*\"|-?[\\w.]+)\\s*");

    private TemplatePreprocessor() {}

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length() + 64);
        for (WhitespaceControl.Piece p : WhitespaceControl.apply(WhitespaceControl.lex(source))) {
            switch (p.kind()) {
                // A text ending in '{' would fuse with the next tag's "{%" into "{{%": print that brace instead.
                case TEXT -> out.append(p.text().endsWith("{")
                        ? p.text().substring(0, p.text().length() - 1) + "{{ '{' }}" : p.text());
                case VARIABLE -> out.append("{{").append(rewriteExpression(p.text(), false)).append("}}");
                case BLOCK -> out.append("{%").append(rewriteExpression(p.text(), isMacroDefinition(p.text())))
                        .append("%}");
                case COMMENT -> { }
            }
        }
        return out.toString();
    }

    private static String rewriteExpression(String code, boolean macroDefinition) {
        String rewritten = rewriteCode(code);
        if (!macroDefinition) {
            rewritten = parenthesizeKeywordArguments(rewritten);
        }
        return NotPrecedence.rewrite(rewritten);
    }

    /** Applies the rewrites to one code segment, outside its string literals. */
    static String rewriteCode(String source) {
        String code = rewriteDefinedTests(source);
        StringBuilder out = new StringBuilder(code.length());
        int i = 0;
        while (i < code.length()) {
            int quote = nextQuote(code, i);
            out.append(rewritePlain(code.substring(i, quote)));
            if (quote >= code.length()) {
                break;
            }
            int close = ExpressionScanner.skipString(code, quote);
            out.append(code, quote, close + 1);
            i = close + 1;
        }
        return out.toString();
    }

    private static String rewritePlain(String code) {
        String s = REVERSE_SLICE.matcher(code).replaceAll("|py_reversed");
        s = PLUS_DIGIT.matcher(s).replaceAll("+ ");
        return s;
    }


    private static boolean isMacroDefinition(String segment) {
        return segment.strip().startsWith("macro");
    }

    /**
     * {@code f(n=xs|length - 1)}: Jinjava binds {@code n=} tighter than the operators after it, jinja2 takes the
     * whole expression up to the next comma as the value; parentheses make Jinjava agree.
     */
    static String parenthesizeKeywordArguments(String code) {
        StringBuilder out = new StringBuilder(code.length() + 16);
        java.util.ArrayDeque<Boolean> open = new java.util.ArrayDeque<>(); // per bracket: inside a keyword value?
        int i = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (c == '\'' || c == '"') {
                int close = ExpressionScanner.skipString(code, i);
                out.append(code, i, close + 1);
                i = close + 1;
                continue;
            }
            if ((c == ')' || c == ',') && !open.isEmpty() && open.peek()) {
                out.append(')');
                open.pop();
                open.push(false);
            }
            if (c == '(' || c == '[' || c == '{') {
                open.push(false);
            } else if ((c == ')' || c == ']' || c == '}') && !open.isEmpty()) {
                open.pop();
            }
            out.append(c);
            i++;
            if ((c == '(' || c == ',') && !open.isEmpty()) {
                Matcher m = KEYWORD_ARGUMENT.matcher(code).region(i, code.length());
                if (m.lookingAt()) {
                    int valueEnd = argumentEnd(code, m.end());
                    if (!SIMPLE_VALUE.matcher(code.substring(m.end(), valueEnd)).matches()) {
                        out.append(code, i, m.end()).append('(');
                        i = m.end();
                        open.pop();
                        open.push(true);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Where the argument starting at {@code from} ends: the next top-level ',' or closing bracket. */
    private static int argumentEnd(String code, int from) {
        int depth = 0;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '\'' || c == '"') {
                i = ExpressionScanner.skipString(code, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return code.length();
    }

    /** {@code a is defined} to {@code py_defined('a')}, {@code a.b[k] is defined} to {@code py_has(a.b, k)}. */
    static String rewriteDefinedTests(String code) {
        Matcher m = DEFINED_TEST.matcher(maskStrings(code));
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String path = code.substring(m.start(1), m.end(1)).strip();
            String call;
            if (path.matches("[A-Za-z_]\\w*")) {
                call = "py_defined('" + path + "')";
            } else if (path.endsWith("]")) {
                int open = matchingOpen(path);
                call = "py_has(" + path.substring(0, open).strip() + ", " + path.substring(open + 1, path.length() - 1) + ")";
            } else {
                int dot = path.lastIndexOf('.');
                call = "py_has(" + path.substring(0, dot).strip() + ", '" + path.substring(dot + 1).strip() + "')";
            }
            boolean negated = (m.group(2) != null) != m.group(3).equals("undefined");
            sb.append(code, last, m.start()).append(negated ? "(not " + call + ")" : call);
            last = m.end();
        }
        return sb.append(code.substring(last)).toString();
    }

    /** The code with string literal contents blanked (same length), so patterns cannot match inside them. */
    private static String maskStrings(String code) {
        char[] masked = code.toCharArray();
        for (int i = 0; i < masked.length; i++) {
            if (masked[i] == '\'' || masked[i] == '"') {
                int close = ExpressionScanner.skipString(code, i);
                for (int j = i + 1; j < close; j++) {
                    masked[j] = '_';
                }
                i = close;
            }
        }
        return new String(masked);
    }

    private static int matchingOpen(String path) {
        int depth = 0;
        for (int i = path.length() - 1; i >= 0; i--) {
            char c = path.charAt(i);
            if (c == ']') {
                depth++;
            } else if (c == '[' && --depth == 0) {
                return i;
            }
        }
        return 0;
    }

    private static int nextQuote(String code, int from) {
        for (int i = from; i < code.length(); i++) {
            if (code.charAt(i) == '\'' || code.charAt(i) == '"') {
                return i;
            }
        }
        return code.length();
    }


}
