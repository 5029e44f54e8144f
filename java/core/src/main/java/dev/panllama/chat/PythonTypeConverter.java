package dev.panllama.chat;

import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.NullValue;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Collection;
import java.util.Map;

/**
 * Python's conversions where Jinjava applies Java's: to str (True, 0.5, ['a'] as Python prints them; used by
 * {@code ~} and string arguments) and to bool (Python truthiness; None kept in a loop is falsy).
 */
final class PythonTypeConverter extends TruthyTypeConverter {

    private static final long serialVersionUID = 1L;

    @Override
    protected Boolean coerceToBoolean(Object value) {
        return PyValues.truthy(value instanceof NullValue ? null : value);
    }

    @Override
    protected String coerceToString(Object value) {
        if (value == null || value instanceof NullValue) {
            return "";
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof SafeString || value instanceof Boolean || value instanceof Double || value instanceof Float
                || value instanceof Collection || value instanceof Map) {
            return PyValues.str(value);
        }
        return super.coerceToString(value);
    }
}
