package dev.panllama.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/** jinja2's {@code {% filter name %}...{% endfilter %}}: renders the body, then applies the named filter to it. */
final class FilterBlockTag implements Tag {

    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        String name = tagNode.getHelpers().trim();
        Filter filter = interpreter.getContext().getFilter(name);
        if (filter == null) {
            throw RenderState.current().fail(new ChatTemplateException(
                    "TemplateAssertionError: No filter named '" + name + "'."));
        }
        StringBuilder sb = new StringBuilder();
        for (Node child : tagNode.getChildren()) {
            sb.append(child.render(interpreter).getValue());
        }
        return PyValues.str(filter.filter(sb.toString(), interpreter));
    }
}
