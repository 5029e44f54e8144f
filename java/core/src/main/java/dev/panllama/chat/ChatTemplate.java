package dev.panllama.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import dev.panllama.ChatMessage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model's chat template ({@code tokenizer.chat_template}, Jinja2), rendered as Hugging Face transformers
 * renders it with Python's jinja2: the same text, byte for byte, for the templates real models ship.
 *
 * <p>Templates are untrusted input: rendering is bounded in output size, loop iterations and time
 * ({@link RenderLimits}) and fails with a {@link ChatTemplateException}, as does a template that calls
 * {@code raise_exception(...)} or hits a Python error.
 */
public final class ChatTemplate {

    /** The ChatML template llama.cpp falls back to when a model has none. */
    public static final String CHATML_SOURCE = """
            {%- for message in messages -%}
            {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
            {{- '<|im_start|>assistant\\n' -}}
            {%- endif -%}
            """;

    private static final Map<RenderLimits, Jinjava> ENGINES = new ConcurrentHashMap<>();

    private final String source;
    private final String prepared;

    private ChatTemplate(String source) {
        this.source = source;
        this.prepared = TemplatePreprocessor.rewrite(source);
    }

    /**
     * Compiles a template, checking its syntax.
     *
     * @throws ChatTemplateException when the template does not parse
     */
    public static ChatTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        ChatTemplate template = new ChatTemplate(source);
        template.checkSyntax();
        return template;
    }

    /** Same as {@link #compile(String)}. */
    public static ChatTemplate of(String source) {
        return compile(source);
    }

    /** ChatML: llama.cpp's fallback for a model without a chat template. */
    public static ChatTemplate chatMl() {
        return compile(CHATML_SOURCE);
    }

    /** The template's source as given. */
    public String source() {
        return source;
    }

    /** Renders the conversation with no special tokens, tools or extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, RenderOptions.DEFAULT);
    }

    /** Renders the conversation. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, RenderOptions options) {
        Objects.requireNonNull(messages, "messages");
        List<Map<String, Object>> dicts = messages.stream().map(ChatTemplate::asDict).toList();
        return renderRaw(dicts, addGenerationPrompt, options);
    }

    /**
     * Renders messages given as JSON-like maps ({@code role}, {@code content}, and whatever else the template
     * reads, e.g. {@code tool_calls}); map order is kept, as Python's dicts keep it.
     */
    public String renderRaw(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                            RenderOptions options) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(options, "options");
        Map<String, Object> bindings = new HashMap<>();
        Set<String> noneNames = new HashSet<>();
        bindings.put("messages", messages);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", options.bosToken());
        bindings.put("eos_token", options.eosToken());
        bindings.put("tools", options.tools());
        bindings.put("documents", null);
        bindings.putAll(options.variables());
        bindings.forEach((name, value) -> {
            if (value == null) {
                noneNames.add(name);
            }
        });
        bindings.values().removeIf(Objects::isNull);
        return run(bindings, options.limits(), options.now(), noneNames);
    }

    private String run(Map<String, Object> bindings, RenderLimits limits, java.time.LocalDateTime now,
                       Set<String> noneNames) {
        Jinjava engine = ENGINES.computeIfAbsent(limits, JinjaEnvironment::create);
        RenderState state = RenderState.begin(limits, now, noneNames);
        RenderResult result;
        try {
            result = engine.renderForResult(prepared, bindings);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ChatTemplateException("chat template failed: " + e, e);
        } finally {
            state.end();
        }
        if (state.failure() != null) {
            throw state.failure();
        }
        for (TemplateError error : result.getErrors()) {
            // Jinjava only warns when a macro recurses too deep (and renders nothing); jinja2 would fail.
            if (error.getSeverity() == TemplateError.ErrorType.FATAL
                    || error.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED) {
                for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                    if (t instanceof ChatTemplateException cause) {
                        throw cause;
                    }
                }
                throw new ChatTemplateException("chat template error at line " + error.getLineno() + ": "
                        + error.getMessage());
            }
        }
        String output = result.getOutput();
        if (output.length() > limits.maxOutputChars()) {
            throw new ChatTemplateException("chat template output exceeds " + limits.maxOutputChars() + " characters");
        }
        return output;
    }

    private void checkSyntax() {
        // Parsing builds the tag tree; Jinjava parses expressions only when it evaluates them, so the
        // {{ }} expressions and if/elif conditions are parsed here too, to report syntax errors up front.
        Jinjava engine = ENGINES.computeIfAbsent(RenderLimits.DEFAULT, JinjaEnvironment::create);
        RenderState state = RenderState.begin(RenderLimits.DEFAULT, null, Set.of());
        try {
            var interpreter = engine.newInterpreter();
            Node root = interpreter.parse(prepared);
            for (TemplateError error : interpreter.getErrorsCopy()) {
                if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                    throw new ChatTemplateException("chat template syntax error at line " + error.getLineno() + ": "
                            + error.getMessage());
                }
            }
            checkExpressions(root, new PythonParser.SyntaxBuilder());
        } finally {
            state.end();
        }
    }

    private static void checkExpressions(Node node, PythonParser.SyntaxBuilder parser) {
        String expression = null;
        if (node instanceof ExpressionNode e) {
            expression = ((ExpressionToken) e.getMaster()).getExpr();
        } else if (node instanceof TagNode t && (t.getName().equals("if") || t.getName().equals("elif"))) {
            expression = t.getHelpers();
        }
        if (expression != null) {
            try {
                parser.build("#{" + expression + "}");
            } catch (RuntimeException e) {
                throw new ChatTemplateException("chat template syntax error at line " + node.getLineNumber()
                        + " in '" + expression.strip() + "': " + e.getMessage(), e);
            }
        }
        for (Node child : node.getChildren()) {
            checkExpressions(child, parser);
        }
    }

    private static Map<String, Object> asDict(ChatMessage m) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("role", m.role());
        dict.put("content", m.content());
        return dict;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars]";
    }
}
