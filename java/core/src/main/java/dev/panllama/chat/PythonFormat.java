package dev.panllama.chat;

/** Python's {@code str.format} for the plain fields templates use: {@code {}}, {@code {0}}, {@code {{}} and {@code }}}. */
final class PythonFormat {

    private PythonFormat() {}

    static String format(String pattern, Object[] args) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '{') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '{') {
                    sb.append('{');
                    i++;
                    continue;
                }
                int close = pattern.indexOf('}', i);
                if (close < 0) {
                    throw new ChatTemplateException("ValueError: Single '{' encountered in format string");
                }
                String field = pattern.substring(i + 1, close);
                int index;
                if (field.isEmpty()) {
                    index = auto++;
                } else if (field.chars().allMatch(Character::isDigit)) {
                    index = Integer.parseInt(field);
                } else {
                    throw new ChatTemplateException("unsupported str.format field {" + field + "}");
                }
                if (index >= args.length) {
                    throw new ChatTemplateException("IndexError: Replacement index " + index
                            + " out of range for positional args tuple");
                }
                sb.append(PyValues.str(args[index]));
                i = close;
            } else if (c == '}') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '}') {
                    i++;
                    sb.append('}');
                } else {
                    throw new ChatTemplateException("ValueError: Single '}' encountered in format string");
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
