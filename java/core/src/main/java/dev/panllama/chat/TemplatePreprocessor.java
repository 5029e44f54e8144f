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

    /** {@code name is [not] defined/undefined} on a top-level name (not an attribute, which Jinjava handles). */
    private static final Pattern DEFINED_TEST = Pattern.compile(
            "(?<![\\w.\\]\\)'\"])(\\b[A-Za-z_]\\w*)\\s+is\\s+(not\\s+)?(defined|undefined)\\b");

    /** {@code a+1}: Jinjava's scanner reads "+1" as one token; a space after the operator parses the same. */
    private static final Pattern PLUS_DIGIT = Pattern.compile("\\+(?=\\d)");

    /** A keyword argument's name: {@code name=} but not {@code name==}. */
    private static final Pattern KEYWORD_ARGUMENT = Pattern.compile("\\s*[A-Za-z_]\\w*\\s*=(?!=)");

    /** A value that needs no parentheses: one literal or dotted name. */
    private static final Pattern SIMPLE_VALUE = Pattern.compile("\\s*('[^']*'|\"[^\"]*\"|-?[\\w.]+)\\s*");

    private TemplatePreprocessor() {}

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length() + 64);
        int i = 0;
        boolean raw = false;
        while (i < source.length()) {
            int open = source.indexOf('{', i);
            if (open < 0 || open + 1 >= source.length()) {
                out.append(source, i, source.length());
                break;
            }
            char kind = source.charAt(open + 1);
            if (kind != '{' && kind != '%' && kind != '#') {
                out.append(source, i, open + 1);
                i = open + 1;
                continue;
            }
            out.append(source, i, open);
            int end = kind == '#' ? commentEnd(source, open) : codeEnd(source, open, kind == '{' ? '}' : '%');
            String segment = source.substring(open, end);
            if (kind == '%') {
                String word = segment.substring(2).replaceFirst("^[-+]?\\s*", "");
                if (word.startsWith("raw") && !Character.isLetterOrDigit(word.length() > 3 ? word.charAt(3) : ' ')) {
                    raw = true;
                } else if (word.startsWith("endraw")) {
                    raw = false;
                }
            }
            if (raw || kind == '#') {
                out.append(segment);
            } else {
                String code = rewriteCode(segment);
                out.append(kind == '%' && isMacroDefinition(segment) ? code : parenthesizeKeywordArguments(code));
            }
            i = end;
        }
        return out.toString();
    }

    /** Applies the rewrites to one code segment, outside its string literals. */
    static String rewriteCode(String code) {
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
        Matcher m = DEFINED_TEST.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            boolean negated = (m.group(2) != null) != m.group(3).equals("undefined");
            String call = "py_defined('" + m.group(1) + "')";
            m.appendReplacement(sb, Matcher.quoteReplacement(negated ? "(not " + call + ")" : call));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static boolean isMacroDefinition(String segment) {
        return segment.substring(2).replaceFirst("^[-+]?\\s*", "").startsWith("macro");
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

    private static int nextQuote(String code, int from) {
        for (int i = from; i < code.length(); i++) {
            if (code.charAt(i) == '\'' || code.charAt(i) == '"') {
                return i;
            }
        }
        return code.length();
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
