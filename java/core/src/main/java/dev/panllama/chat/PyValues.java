package dev.panllama.chat;

import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.collections.PyMap;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Python's view of the Java values a template handles: str(), repr(), truthiness and type names. */
final class PyValues {

    private PyValues() {}

    static boolean isString(Object o) {
        return o instanceof String || o instanceof SafeString || o instanceof Character;
    }

    static boolean isInteger(Object o) {
        return o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte
                || o instanceof BigInteger;
    }

    static boolean isNumber(Object o) {
        return o instanceof Number;
    }

    /** Python's {@code str(o)}; None (and undefined) is handled by the caller, since Jinjava cannot tell them apart. */
    static String str(Object o) {
        if (o == null) {
            return "None";
        }
        if (isString(o)) {
            return o.toString();
        }
        return repr(o);
    }

    /** Python's {@code repr(o)} for the JSON-like values templates use. */
    static String repr(Object o) {
        StringBuilder sb = new StringBuilder();
        appendRepr(sb, o, 0);
        return sb.toString();
    }

    private static void appendRepr(StringBuilder sb, Object o, int depth) {
        if (depth > 100) {
            throw new ChatTemplateException("value nested too deeply to print");
        }
        if (o == null) {
            sb.append("None");
        } else if (o instanceof Boolean b) {
            sb.append(b ? "True" : "False");
        } else if (isString(o)) {
            appendQuoted(sb, o.toString());
        } else if (o instanceof Double || o instanceof Float || o instanceof BigDecimal) {
            sb.append(floatRepr(((Number) o).doubleValue()));
        } else if (o instanceof Number) {
            sb.append(o);
        } else if (o instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                appendRepr(sb, e.getKey(), depth + 1);
                sb.append(": ");
                appendRepr(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (o instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object item : c) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                appendRepr(sb, item, depth + 1);
            }
            sb.append(']');
        } else {
            sb.append(o);
        }
    }

    /** Python's float repr: shortest round-trip digits, with its own exponent thresholds. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return BigDecimal.valueOf(d).toBigInteger().toString() + ".0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d));
        int exponent = bd.precision() - bd.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format("%02d", Math.abs(exponent));
        }
        return bd.toPlainString();
    }

    private static void appendQuoted(StringBuilder sb, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append(quote);
    }

    /** Python's truthiness. */
    static boolean truthy(Object o) {
        if (o == null) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        if (isString(o)) {
            return !o.toString().isEmpty();
        }
        if (o instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (o instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (o instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's type name, for error messages that match Python's. */
    static String typeName(Object o) {
        if (o == null) {
            return "NoneType";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (isString(o)) {
            return "str";
        }
        if (isInteger(o)) {
            return "int";
        }
        if (o instanceof Number) {
            return "float";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof Collection) {
            return "list";
        }
        return o.getClass().getSimpleName();
    }

    /**
     * Python's iteration: a list's items, a dict's keys, a string's characters. Anything else (None included) is
     * a TypeError, as in Python.
     */
    static List<Object> iterate(Object o) {
        if (o instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (o instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (isString(o)) {
            String s = o.toString();
            List<Object> chars = new ArrayList<>(s.length());
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        if (o instanceof Iterable<?> it) {
            List<Object> items = new ArrayList<>();
            Iterator<?> iterator = it.iterator();
            while (iterator.hasNext()) {
                items.add(iterator.next());
            }
            return items;
        }
        if (o instanceof Object[] array) {
            return new ArrayList<>(List.of(array));
        }
        throw new ChatTemplateException("TypeError: '" + typeName(o) + "' object is not iterable");
    }

    /** A fresh list Jinjava treats as a Python list (its for-loop unpacking expects PyList). */
    static PyList list(List<?> items) {
        return new PyList(new ArrayList<>(items));
    }

    /** A fresh dict Jinjava treats as a Python dict, keeping insertion order as Python does. */
    static PyMap dict(Map<String, ?> entries) {
        return new PyMap(new LinkedHashMap<>(entries));
    }
}
