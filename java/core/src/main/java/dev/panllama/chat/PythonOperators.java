package dev.panllama.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;

/**
 * The binary operators whose Java EL meaning differs from Python's: {@code +} (str/list concatenation, a
 * TypeError on None or undefined, where Jinjava would print "null"), {@code *} (str and list repetition) and
 * {@code ==}/{@code !=} (no coercion: {@code 'a' == 1} is False, {@code True == 1} is True).
 */
final class PythonOperators {

    private PythonOperators() {}

    static final AstBinary.Operator ADD = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (PyValues.isString(a) && PyValues.isString(b)) {
                return checkedLength(a.toString().length() + (long) b.toString().length(), a + b.toString());
            }
            if (a instanceof Collection<?> x && b instanceof Collection<?> y) {
                List<Object> joined = new ArrayList<>(x);
                joined.addAll(y);
                return PyValues.list(joined);
            }
            if (isNumeric(a) && isNumeric(b)) {
                return NumberOperations.add(converter, asNumber(a), asNumber(b));
            }
            throw operandError("+", a, b);
        }

        @Override
        public String toString() {
            return "+";
        }
    };

    static final AstBinary.Operator MUL = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (PyValues.isString(a) && PyValues.isInteger(b)) {
                return repeat(a.toString(), ((Number) b).longValue());
            }
            if (PyValues.isInteger(a) && PyValues.isString(b)) {
                return repeat(b.toString(), ((Number) a).longValue());
            }
            if (a instanceof Collection<?> items && PyValues.isInteger(b)) {
                long times = Math.max(0, ((Number) b).longValue());
                checkedLength(items.size() * times, null);
                List<Object> repeated = new ArrayList<>();
                for (long i = 0; i < times; i++) {
                    repeated.addAll(items);
                }
                return PyValues.list(repeated);
            }
            if (isNumeric(a) && isNumeric(b)) {
                return NumberOperations.mul(converter, asNumber(a), asNumber(b));
            }
            throw operandError("*", a, b);
        }

        @Override
        public String toString() {
            return "*";
        }
    };

    static final AstBinary.Operator EQ = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            return pyEquals(a, b);
        }

        @Override
        public String toString() {
            return "==";
        }
    };

    static final AstBinary.Operator NE = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            return !pyEquals(a, b);
        }

        @Override
        public String toString() {
            return "!=";
        }
    };

    /** Python's {@code ==} for template values. */
    static boolean pyEquals(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumeric(a) && isNumeric(b)) {
            Number x = asNumber(a);
            Number y = asNumber(b);
            if (PyValues.isInteger(x) && PyValues.isInteger(y)) {
                return x.longValue() == y.longValue();
            }
            return x.doubleValue() == y.doubleValue();
        }
        if (PyValues.isString(a) && PyValues.isString(b)) {
            return a.toString().equals(b.toString());
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            Iterator<?> i = x.iterator();
            Iterator<?> j = y.iterator();
            while (i.hasNext()) {
                if (!pyEquals(i.next(), j.next())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !pyEquals(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static boolean isNumeric(Object o) {
        return o instanceof Number || o instanceof Boolean;
    }

    private static Number asNumber(Object o) {
        return o instanceof Boolean b ? (b ? 1L : 0L) : (Number) o;
    }

    private static String repeat(String s, long times) {
        long n = Math.max(0, times);
        checkedLength(s.length() * n, null);
        return s.repeat((int) n);
    }

    /** Strings built by operators are bounded like the output, so doubling a string in a loop fails fast. */
    private static String checkedLength(long length, String value) {
        long max = RenderState.current().maxStringLength();
        if (length > max) {
            throw RenderState.current().fail(new ChatTemplateException(
                    "chat template built a string longer than " + max + " characters"));
        }
        return value;
    }

    private static ChatTemplateException operandError(String op, Object a, Object b) {
        String message = a == null || b == null
                ? "UndefinedError/TypeError: operand of '" + op + "' is None or undefined"
                : "TypeError: unsupported operand type(s) for " + op + ": '" + PyValues.typeName(a) + "' and '"
                        + PyValues.typeName(b) + "'";
        return (ChatTemplateException) RenderState.current().fail(new ChatTemplateException(message));
    }
}
