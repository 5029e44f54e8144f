package dev.panllama.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it: ensure_ascii=False, insertion
 * key order (unless sort_keys), separators {@code (", ", ": ")} or, with an indent, {@code (",", ": ")}.
 */
final class PythonJson {

    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;

    PythonJson(Integer indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {
        this.indent = indent == null ? null : " ".repeat(Math.max(0, indent));
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
    }

    String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private void write(StringBuilder sb, Object o, int level) {
        if (level > 200) {
            throw new ChatTemplateException("ValueError: value nested too deeply for tojson");
        }
        if (o == null) {
            sb.append("null");
        } else if (o instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (PyValues.isString(o)) {
            quote(sb, o.toString());
        } else if (PyValues.isInteger(o)) {
            sb.append(o);
        } else if (o instanceof Number n) {
            double d = n.doubleValue();
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : PyValues.floatRepr(d));
        } else if (o instanceof Map<?, ?> m) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            if (entries.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) {
                    sb.append(itemSeparator);
                }
                first = false;
                newline(sb, level + 1);
                quote(sb, key(e.getKey()));
                sb.append(keySeparator);
                write(sb, e.getValue(), level + 1);
            }
            newline(sb, level);
            sb.append('}');
        } else if (o instanceof Collection<?> c) {
            if (c.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            boolean first = true;
            for (Object item : c) {
                if (!first) {
                    sb.append(itemSeparator);
                }
                first = false;
                newline(sb, level + 1);
                write(sb, item, level + 1);
            }
            newline(sb, level);
            sb.append(']');
        } else {
            throw new ChatTemplateException("TypeError: Object of type " + PyValues.typeName(o)
                    + " is not JSON serializable");
        }
    }

    /** JSON object keys: Python converts bool/None/number keys to strings. */
    private static String key(Object k) {
        if (k == null) {
            return "null";
        }
        if (k instanceof Boolean b) {
            return b ? "true" : "false";
        }
        return PyValues.isString(k) || PyValues.isInteger(k) ? k.toString() : PyValues.str(k);
    }

    private void newline(StringBuilder sb, int level) {
        if (indent != null) {
            sb.append('\n');
            sb.append(indent.repeat(level));
        }
    }

    private void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7f)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
