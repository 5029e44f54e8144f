package dev.panllama.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** jinja2 filters whose Jinjava versions differ from Python's: they print values with Python's str(). */
final class PythonStringFilters {

    private PythonStringFilters() {}

    static List<AdvancedFilter> all() {
        return List.of(new Str(), new Trim(), new Join(), new Reversed());
    }

    /** {@code |string}: Python's str() (so True, None, ['a'] print as in Python). */
    static final class Str implements AdvancedFilter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return var == null ? "" : PyValues.str(var);
        }
    }

    /** {@code |trim}: Python's str.strip() (or strip(chars)). */
    static final class Trim implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            String chars = args.length > 0 && args[0] != null ? args[0].toString() : null;
            return PythonStrings.strip(var == null ? "" : PyValues.str(var), chars, true, true);
        }
    }

    /** {@code |join(sep, attribute=None)}: items printed with Python's str(). */
    static final class Join implements AdvancedFilter {
        @Override
        public String getName() {
            return "join";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            String separator = args.length > 0 && args[0] != null ? args[0].toString()
                    : kwargs.containsKey("d") ? String.valueOf(kwargs.get("d")) : "";
            Object attribute = args.length > 1 ? args[1] : kwargs.get("attribute");
            if (var == null) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            Iterator<Object> it = PyValues.iterate(var).iterator();
            while (it.hasNext()) {
                Object item = it.next();
                if (attribute != null && item instanceof Map<?, ?> m) {
                    item = m.get(attribute.toString());
                }
                sb.append(item == null ? "None" : PyValues.str(item));
                if (it.hasNext()) {
                    sb.append(separator);
                }
            }
            return sb.toString();
        }
    }

    /** {@code |py_reversed}: what the preprocessor turns {@code x[::-1]} into (a reversed copy, list or str). */
    static final class Reversed implements AdvancedFilter {
        @Override
        public String getName() {
            return "py_reversed";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var == null) {
                return null;
            }
            if (PyValues.isString(var)) {
                return new StringBuilder(var.toString()).reverse().toString();
            }
            List<Object> items = PyValues.iterate(var);
            Collections.reverse(items);
            return PyValues.list(items);
        }
    }
}
