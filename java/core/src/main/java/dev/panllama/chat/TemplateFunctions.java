package dev.panllama.chat;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Locale;

/** The global functions transformers gives chat templates, as static methods Jinjava can call. */
final class TemplateFunctions {

    private TemplateFunctions() {}

    /** {@code raise_exception(message)}: the template rejects its input (e.g. an unsupported role order). */
    public static Object raiseException(Object message) {
        throw RenderState.current().fail(new ChatTemplateException(
                "chat template raised an exception: " + (message == null ? "None" : PyValues.str(message))));
    }

    /** {@code strftime_now(format)}: the render's clock (frozen in tests) formatted like Python's strftime. */
    public static String strftimeNow(String format) {
        LocalDateTime now = RenderState.current().now();
        if (now == null) {
            now = LocalDateTime.now();
        }
        return StrftimeFormatter.format(now.atZone(ZoneId.systemDefault()), format, Locale.ENGLISH);
    }

    /**
     * {@code name is defined} for a top-level name, rewritten to {@code py_defined('name')} by the preprocessor:
     * true for a name bound to None, which Jinjava's own test cannot see.
     */
    public static boolean isDefined(String name) {
        if (RenderState.current().isNone(name)) {
            return true;
        }
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        if (interpreter.getContext().getFunction(":" + name) != null || interpreter.getContext().isGlobalMacro(name)) {
            return true;
        }
        for (Context c = interpreter.getContext(); c != null; c = c.getParent()) {
            if (c.getScope().containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code base.key is defined} / {@code base['key'] is defined}, rewritten to {@code py_has(base, 'key')}: true
     * when the key exists, even with a None value (Jinjava's test only sees the value).
     */
    public static boolean hasItem(Object base, Object key) {
        if (base instanceof java.util.Map<?, ?> map) {
            return map.containsKey(key) || (key != null && map.containsKey(key.toString()));
        }
        if (base instanceof java.util.List<?> list && key instanceof Number n) {
            int i = n.intValue();
            return i < list.size() && i >= -list.size();
        }
        return false;
    }
}
