package dev.panllama.chat;

import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.objects.Namespace;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Method calls on template values with Python's semantics: {@code s.strip()}, {@code s.startswith(...)},
 * {@code d.items()}, {@code d.get(k, default)}, ... on str, dict and list values.
 *
 * <p>Only Python's methods are callable: any other method name on these types is an AttributeError, so a
 * template cannot reach Java methods through them. Mutating methods (append, pop, update, ...) raise, as
 * in transformers' ImmutableSandboxedEnvironment. Values of other types fall through to Jinjava.
 */
final class PythonMethodResolver extends ELResolver {

    private static final Set<String> MUTATING = Set.of("append", "extend", "insert", "pop", "remove", "clear",
            "sort", "reverse", "update", "setdefault", "popitem", "add", "discard");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null || base instanceof Namespace) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (PyValues.isString(base)) {
            result = stringMethod(base.toString(), name, args);
        } else if (base instanceof Map<?, ?> map) {
            result = dictMethod(map, name, args);
        } else if (base instanceof List<?> list) {
            result = listMethod(list, name, args);
        } else if (base instanceof Number || base instanceof Boolean) {
            throw noAttribute(base, name);
        } else {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object stringMethod(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> PythonStrings.strip(s, optString(args, 0), true, true);
            case "lstrip" -> PythonStrings.strip(s, optString(args, 0), true, false);
            case "rstrip" -> PythonStrings.strip(s, optString(args, 0), false, true);
            case "startswith" -> affix(s, arg(args, 0, name), true);
            case "endswith" -> affix(s, arg(args, 0, name), false);
            case "split" -> PyValues.list(PythonStrings.split(s, optString(args, 0), optInt(args, 1, -1)));
            case "rsplit" -> PyValues.list(PythonStrings.rsplit(s, optString(args, 0), optInt(args, 1, -1)));
            case "splitlines" -> PyValues.list(PythonStrings.splitlines(s));
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> PythonStrings.title(s);
            case "capitalize" -> PythonStrings.capitalize(s);
            case "replace" -> PythonStrings.replace(s, string(args, 0, name), string(args, 1, name), optInt(args, 2, -1));
            case "find" -> s.indexOf(string(args, 0, name));
            case "rfind" -> s.lastIndexOf(string(args, 0, name));
            case "index" -> {
                int at = s.indexOf(string(args, 0, name));
                if (at < 0) {
                    throw new ChatTemplateException("ValueError: substring not found");
                }
                yield at;
            }
            case "count" -> countOccurrences(s, string(args, 0, name));
            case "join" -> join(s, arg(args, 0, name));
            case "format" -> PythonFormat.format(s, args);
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PythonStrings::isSpace);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(Character::isUpperCase);
            case "removeprefix" -> s.startsWith(string(args, 0, name)) ? s.substring(string(args, 0, name).length()) : s;
            case "removesuffix" -> {
                String suffix = string(args, 0, name);
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "zfill" -> {
                int width = optInt(args, 0, 0);
                yield s.length() >= width ? s : "0".repeat(width - s.length()) + s;
            }
            default -> throw noAttribute(s, name);
        };
    }

    private static Object dictMethod(Map<?, ?> map, String name, Object[] args) {
        return switch (name) {
            case "items" -> {
                List<Object> items = new ArrayList<>(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    items.add(PyValues.list(java.util.Arrays.asList(e.getKey(), e.getValue())));
                }
                yield PyValues.list(items);
            }
            case "keys" -> PyValues.list(new ArrayList<>(map.keySet()));
            case "values" -> PyValues.list(new ArrayList<>(map.values()));
            case "get" -> {
                Object key = arg(args, 0, name);
                yield map.containsKey(key) ? map.get(key) : args.length > 1 ? args[1] : null;
            }
            case "copy" -> map;
            default -> {
                if (MUTATING.contains(name)) {
                    throw unsafe(map, name);
                }
                throw noAttribute(map, name);
            }
        };
    }

    private static Object listMethod(List<?> list, String name, Object[] args) {
        return switch (name) {
            case "index" -> {
                int at = list.indexOf(arg(args, 0, name));
                if (at < 0) {
                    throw new ChatTemplateException("ValueError: " + PyValues.repr(args[0]) + " is not in list");
                }
                yield at;
            }
            case "count" -> {
                Object wanted = arg(args, 0, name);
                yield (int) list.stream().filter(x -> java.util.Objects.equals(x, wanted)).count();
            }
            case "copy" -> PyValues.list(list);
            default -> {
                if (MUTATING.contains(name)) {
                    throw unsafe(list, name);
                }
                throw noAttribute(list, name);
            }
        };
    }

    private static boolean affix(String s, Object affix, boolean prefix) {
        if (affix instanceof Collection<?> options) {
            for (Object option : options) {
                if (affix(s, option, prefix)) {
                    return true;
                }
            }
            return false;
        }
        if (!PyValues.isString(affix)) {
            throw new ChatTemplateException("TypeError: " + (prefix ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, not " + PyValues.typeName(affix));
        }
        return prefix ? s.startsWith(affix.toString()) : s.endsWith(affix.toString());
    }

    private static int countOccurrences(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1;
        }
        int count = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            count++;
        }
        return count;
    }

    private static String join(String separator, Object iterable) {
        StringBuilder sb = new StringBuilder();
        Iterator<Object> it = PyValues.iterate(iterable).iterator();
        while (it.hasNext()) {
            Object item = it.next();
            if (!PyValues.isString(item)) {
                throw new ChatTemplateException("TypeError: sequence item: expected str instance, "
                        + PyValues.typeName(item) + " found");
            }
            sb.append(item);
            if (it.hasNext()) {
                sb.append(separator);
            }
        }
        return sb.toString();
    }

    private static Object arg(Object[] args, int i, String method) {
        if (i >= args.length) {
            throw new ChatTemplateException("TypeError: " + method + "() takes at least " + (i + 1) + " argument(s)");
        }
        Object a = args[i];
        return a instanceof NamedParameter np ? np.getValue() : a;
    }

    private static String string(Object[] args, int i, String method) {
        Object a = arg(args, i, method);
        if (!PyValues.isString(a)) {
            throw new ChatTemplateException("TypeError: " + method + "() argument must be str, not "
                    + PyValues.typeName(a));
        }
        return a.toString();
    }

    private static String optString(Object[] args, int i) {
        if (i >= args.length || args[i] == null) {
            return null;
        }
        Object a = args[i] instanceof NamedParameter np ? np.getValue() : args[i];
        return a == null ? null : a.toString();
    }

    private static int optInt(Object[] args, int i, int fallback) {
        if (i >= args.length || args[i] == null) {
            return fallback;
        }
        Object a = args[i] instanceof NamedParameter np ? np.getValue() : args[i];
        if (!(a instanceof Number n)) {
            throw new ChatTemplateException("TypeError: expected an integer argument, got " + PyValues.typeName(a));
        }
        return n.intValue();
    }

    private static ChatTemplateException noAttribute(Object base, String name) {
        return new ChatTemplateException("UndefinedError: '" + PyValues.typeName(base) + "' object has no attribute '"
                + name + "'");
    }

    private static ChatTemplateException unsafe(Object base, String name) {
        return new ChatTemplateException("SecurityError: access to attribute '" + name + "' of '"
                + PyValues.typeName(base) + "' object is unsafe.");
    }

    /** {@code s[i]} on a str (Jinjava only indexes lists): the character, negative indexes from the end. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // Jinjava passes the index as its string form.
        if (PyValues.isString(base) && property != null && property.toString().matches("-?\\d{1,9}")) {
            String s = base.toString();
            int i = Integer.parseInt(property.toString());
            int index = i < 0 ? s.length() + i : i;
            context.setPropertyResolved(true);
            return index >= 0 && index < s.length() ? String.valueOf(s.charAt(index)) : null;
        }
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
