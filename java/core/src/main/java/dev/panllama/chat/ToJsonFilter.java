package dev.panllama.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.Collection;
import java.util.Map;

/**
 * transformers' {@code tojson}: Python's json.dumps with ensure_ascii=False and no HTML escaping (jinja2's own
 * filter would escape {@code <>&'}), options {@code indent}, {@code separators}, {@code sort_keys}, {@code ensure_ascii}.
 */
final class ToJsonFilter implements AdvancedFilter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String itemSeparator = null;
        String keySeparator = null;
        if (kwargs.get("separators") instanceof Collection<?> separators && separators.size() == 2) {
            Object[] pair = separators.toArray();
            itemSeparator = String.valueOf(pair[0]);
            keySeparator = String.valueOf(pair[1]);
        }
        boolean sortKeys = PyValues.truthy(kwargs.get("sort_keys"));
        boolean ensureAscii = PyValues.truthy(kwargs.get("ensure_ascii"));
        try {
            return new PythonJson(indent instanceof Number n ? n.intValue() : null, itemSeparator, keySeparator,
                    sortKeys, ensureAscii).dumps(var);
        } catch (ChatTemplateException e) {
            throw RenderState.current().fail(e);
        }
    }
}
