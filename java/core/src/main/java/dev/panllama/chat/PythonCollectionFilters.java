package dev.panllama.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** jinja2 filters Jinjava lacks or implements differently: default/d, items, min, max, sum. */
final class PythonCollectionFilters {

    private PythonCollectionFilters() {}

    static List<AdvancedFilter> all() {
        return List.of(new Default("default"), new Default("d"), new Items(), new Extreme("min", -1),
                new Extreme("max", 1), new Sum());
    }

    /**
     * {@code default(value='', boolean=False)}: the value itself for an undefined one (Jinjava turns it into a
     * string, so {@code x|default(false)} would be the truthy "false").
     */
    record Default(String getName) implements AdvancedFilter {
        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object fallback = args.length > 0 ? args[0] : kwargs.getOrDefault("default_value", "");
            boolean onFalsy = args.length > 1 ? PyValues.truthy(args[1]) : PyValues.truthy(kwargs.get("boolean"));
            if (var == null || (onFalsy && !PyValues.truthy(var))) {
                return fallback;
            }
            return var;
        }
    }

    /** {@code items}: a dict's (key, value) pairs. */
    static final class Items implements AdvancedFilter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var == null) {
                return PyValues.list(List.of());
            }
            if (!(var instanceof Map<?, ?> map)) {
                throw RenderState.current().fail(new ChatTemplateException(
                        "TypeError: can only get item pairs from a mapping."));
            }
            List<Object> pairs = new ArrayList<>(map.size());
            map.forEach((k, v) -> pairs.add(PyValues.list(java.util.Arrays.asList(k, v))));
            return PyValues.list(pairs);
        }
    }

    /** {@code min}/{@code max} of numbers or strings. */
    record Extreme(String getName, int sign) implements AdvancedFilter {
        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            List<Object> items = PyValues.iterate(var);
            if (items.isEmpty()) {
                return null;
            }
            Comparator<Object> order = PythonCollectionFilters::compare;
            return sign > 0 ? items.stream().max(order).orElseThrow() : items.stream().min(order).orElseThrow();
        }
    }

    /** {@code sum}: ints stay ints. */
    static final class Sum implements AdvancedFilter {
        @Override
        public String getName() {
            return "sum";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object attribute = kwargs.get("attribute");
            Object start = args.length > 1 ? args[1] : kwargs.getOrDefault("start", 0L);
            boolean integral = PyValues.isInteger(start);
            BigDecimal total = new BigDecimal(start.toString());
            for (Object item : PyValues.iterate(var)) {
                Object value = attribute != null && item instanceof Map<?, ?> m ? m.get(attribute.toString()) : item;
                if (!(value instanceof Number n)) {
                    throw RenderState.current().fail(new ChatTemplateException(
                            "TypeError: unsupported operand type(s) for +: 'int' and '" + PyValues.typeName(value) + "'"));
                }
                integral &= PyValues.isInteger(n);
                total = total.add(new BigDecimal(n.toString()));
            }
            return integral ? (Object) total.longValueExact() : (Object) total.doubleValue();
        }
    }

    /** Python ordering of two numbers or two strings. */
    static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (PyValues.isString(a) && PyValues.isString(b)) {
            return a.toString().compareTo(b.toString());
        }
        throw RenderState.current().fail(new ChatTemplateException("TypeError: '<' not supported between instances of '"
                + PyValues.typeName(a) + "' and '" + PyValues.typeName(b) + "'"));
    }
}
