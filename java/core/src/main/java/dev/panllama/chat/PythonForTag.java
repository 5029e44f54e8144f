package dev.panllama.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ElseTag;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's for loop on top of Jinjava's: Python iteration (dict keys, string characters; None is a TypeError,
 * an undefined name an empty loop), the {@code for x in xs if cond} filter (loop.length counts kept items),
 * and every iteration charged to the render budget so a template cannot loop without end.
 */
final class PythonForTag extends ForTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        LoopHeader header = LoopHeader.parse(((TagToken) tagNode.getMaster()).getHelpers());
        Object collection = interpreter.resolveELExpression(header.iterable(), tagNode.getLineNumber());
        List<Object> items;
        if (collection == null) {
            if (RenderState.current().isNone(header.iterable().trim())
                    || isNoneValuedKey(header.iterable().trim(), interpreter, tagNode.getLineNumber())) {
                throw RenderState.current().fail(new ChatTemplateException("TypeError: 'NoneType' object is not iterable"));
            }
            items = List.of(); // an undefined value iterates as empty in jinja2
        } else {
            try {
                items = PyValues.iterate(collection);
            } catch (ChatTemplateException e) {
                throw RenderState.current().fail(e);
            }
        }
        if (header.condition() != null) {
            items = keep(items, header, interpreter, tagNode.getLineNumber());
        }
        // {% for %}...{% else %}...{% endfor %}: the else branch renders when nothing was iterated.
        int elseAt = elseIndex(tagNode);
        if (elseAt < 0) {
            return renderForCollection(tagNode, interpreter, header.variables(), new Budgeted(items));
        }
        List<Node> children = tagNode.getChildren();
        if (items.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (Node node : children.subList(elseAt + 1, children.size())) {
                sb.append(node.render(interpreter).getValue());
            }
            return sb.toString();
        }
        TagNode body = new TagNode(tagNode.getTag(), (TagToken) tagNode.getMaster(), tagNode.getSymbols());
        body.setChildren(new LinkedList<>(children.subList(0, elseAt)));
        return renderForCollection(body, interpreter, header.variables(), new Budgeted(items));
    }

    private static int elseIndex(TagNode tagNode) {
        List<Node> children = tagNode.getChildren();
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i) instanceof TagNode t && t.getTag() instanceof ElseTag) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code base.key} names a key that exists with a None value (as opposed to a missing one). */
    private static boolean isNoneValuedKey(String path, JinjavaInterpreter interpreter, int line) {
        java.util.regex.Matcher attribute = ATTRIBUTE.matcher(path);
        if (attribute.matches()) {
            Object base = interpreter.resolveELExpression(attribute.group(1), line);
            return TemplateFunctions.hasItem(base, attribute.group(2));
        }
        return false;
    }

    private static final java.util.regex.Pattern ATTRIBUTE =
            java.util.regex.Pattern.compile("(.+)\\.\\s*([A-Za-z_]\\w*)");

    private static List<Object> keep(List<Object> items, LoopHeader header, JinjavaInterpreter interpreter, int line) {
        List<Object> kept = new ArrayList<>();
        for (Object item : items) {
            RenderState.current().onLoopIteration();
            try (JinjavaInterpreter.InterpreterScopeClosable ignored = interpreter.enterScope()) {
                bind(interpreter, header.variables(), item);
                if (PyValues.truthy(interpreter.resolveELExpression(header.condition(), line))) {
                    kept.add(item);
                }
            }
        }
        return kept;
    }

    /** Binds the loop variables to one item, unpacking pairs as Python does. */
    private static void bind(JinjavaInterpreter interpreter, List<String> variables, Object item) {
        if (variables.size() == 1) {
            interpreter.getContext().put(variables.getFirst(), item);
            return;
        }
        List<?> parts = item instanceof Map.Entry<?, ?> e ? java.util.Arrays.asList(e.getKey(), e.getValue())
                : item instanceof List<?> l ? l : List.of();
        for (int i = 0; i < variables.size(); i++) {
            interpreter.getContext().put(variables.get(i), i < parts.size() ? parts.get(i) : null);
        }
    }

    /** The loop's items, each read charged to the render budget. */
    private static final class Budgeted extends AbstractList<Object> {
        private final List<Object> items;

        Budgeted(List<Object> items) {
            this.items = items;
        }

        @Override
        public Object get(int index) {
            RenderState.current().onLoopIteration();
            return items.get(index);
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    /** {@code vars in iterable [if condition] [recursive]}, split outside strings and brackets. */
    record LoopHeader(List<String> variables, String iterable, String condition) {

        static LoopHeader parse(String helpers) {
            String text = helpers.trim();
            if (text.endsWith(" recursive")) {
                text = text.substring(0, text.length() - " recursive".length());
            }
            int in = ExpressionScanner.findKeyword(text, "in", 0);
            if (in < 0) {
                throw new ChatTemplateException("TemplateSyntaxError: expected 'in' in for loop: {% for " + helpers + " %}");
            }
            List<String> variables = new ArrayList<>();
            for (String v : text.substring(0, in).replace("(", "").replace(")", "").split(",")) {
                if (!v.isBlank()) {
                    variables.add(v.trim());
                }
            }
            int cond = ExpressionScanner.findKeyword(text, "if", in + 2);
            String iterable = cond < 0 ? text.substring(in + 2) : text.substring(in + 2, cond);
            String condition = cond < 0 ? null : text.substring(cond + 2).trim();
            if (variables.isEmpty() || iterable.isBlank() || (condition != null && condition.isEmpty())) {
                throw new ChatTemplateException("TemplateSyntaxError: malformed for loop: {% for " + helpers + " %}");
            }
            return new LoopHeader(variables, iterable.trim(), condition);
        }
    }
}
