package dev.panllama.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.ChatMessage;
import dev.panllama.PanllamaException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("Be brief."), ChatMessage.user("Hi!"), ChatMessage.assistant("Hello."),
            ChatMessage.user("Bye"));

    @Test
    void chatMlFallbackIsLlamaCppsChatMl() {
        assertEquals("""
                <|im_start|>system
                Be brief.<|im_end|>
                <|im_start|>user
                Hi!<|im_end|>
                <|im_start|>assistant
                Hello.<|im_end|>
                <|im_start|>user
                Bye<|im_end|>
                <|im_start|>assistant
                """, ChatTemplate.chatMl().render(CONVERSATION, true));
        assertEquals("<|im_start|>user\nBye<|im_end|>\n",
                ChatTemplate.chatMl().render(List.of(ChatMessage.user("Bye")), false));
    }

    @Test
    void chatMessageHelpersAndValidation() {
        assertEquals(new ChatMessage("system", "s"), ChatMessage.system("s"));
        assertEquals("user", ChatMessage.user("u").role());
        assertEquals("assistant", ChatMessage.assistant("a").role());
        assertThrows(NullPointerException.class, () -> new ChatMessage(null, "x"));
        assertThrows(NullPointerException.class, () -> new ChatMessage("user", null));
    }

    @Test
    void raiseExceptionBecomesChatTemplateExceptionWithTheTemplatesMessage() {
        ChatTemplate template = ChatTemplate.compile(
                "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(CONVERSATION, true));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
        assertTrue(e instanceof PanllamaException);
        assertEquals("ok", template.render(List.of(ChatMessage.user("x")), true));
    }

    @Test
    void syntaxErrorsFailAtCompile() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{% if true %}never closed"));
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{{ 'unbalanced' + }}"));
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{% for x in [1] %}{% endif %}"));
    }

    @Test
    void malformedLoopFailsAtRender() {
        ChatTemplate template = ChatTemplate.compile("{% for x in %}{% endfor %}");
        assertThrows(ChatTemplateException.class, () -> template.render(CONVERSATION, false));
    }

    @Test
    void messageContentIsNeverInterpretedAsTemplate() {
        String rendered = ChatTemplate.chatMl().render(List.of(ChatMessage.user("{{ 7 * 7 }} {% if true %}x{% endif %}")),
                false);
        assertEquals("<|im_start|>user\n{{ 7 * 7 }} {% if true %}x{% endif %}<|im_end|>\n", rendered);
    }

    @Test
    void specialTokensToolsClockAndExtraVariablesReachTheTemplate() {
        ChatTemplate template = ChatTemplate.compile("{{ bos_token }}|{{ eos_token }}|{{ tools | tojson }}|"
                + "{{ strftime_now('%d %b %Y') }}|{{ enable_thinking }}|{{ add_generation_prompt }}");
        RenderOptions options = RenderOptions.DEFAULT.withSpecialTokens("<s>", "</s>")
                .withTools(List.of(Map.of("name", "f")))
                .withNow(LocalDateTime.of(2024, 7, 26, 12, 0))
                .withVariables(Map.of("enable_thinking", false));
        assertEquals("<s>|</s>|[{\"name\": \"f\"}]|26 Jul 2024|False|True", template.render(CONVERSATION, true, options));
    }

    @Test
    void toolsAreNoneWhenAbsentAsWithTransformers() {
        ChatTemplate template = ChatTemplate.compile(
                "{{ tools is defined }} {{ tools is none }} {{ documents is defined }} {{ other is defined }}");
        assertEquals("True True True False", template.render(CONVERSATION, false));
    }

    @Test
    void nestedLoopsHitTheIterationBudget() {
        ChatTemplate template = ChatTemplate.compile("{% for a in range(1000) %}{% for b in range(1000) %}"
                + "{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(CONVERSATION, false));
        assertTrue(e.getMessage().contains("loop iterations"), e.getMessage());
    }

    @Test
    void smallerLimitsStopSoonerAndAreReported() {
        RenderOptions tight = RenderOptions.DEFAULT.withLimits(
                new RenderLimits(1000, 50, 10_000, Duration.ofSeconds(30)));
        ChatTemplate loops = ChatTemplate.compile("{% for m in range(100) %}.{% endfor %}");
        assertTrue(assertThrows(ChatTemplateException.class, () -> loops.render(CONVERSATION, false, tight))
                .getMessage().contains("50 loop iterations"));
        ChatTemplate big = ChatTemplate.compile("{% for m in range(40) %}{{ 'x' * 40 }}{% endfor %}");
        assertThrows(ChatTemplateException.class, () -> big.render(CONVERSATION, false, tight));
        assertEquals(1600, big.render(CONVERSATION, false).length());
    }

    @Test
    void hugeStringsAndOutputsFail() {
        assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.compile("{{ 'x' * 100000000 }}").render(CONVERSATION, false));
        assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.compile("{% for a in range(1000) %}{{ 'x' * 100000 }}{% endfor %}")
                        .render(CONVERSATION, false));
        assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.compile("{% set s = 'ab' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}")
                        .render(CONVERSATION, false));
        assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.compile("{% set s = 'ab' %}{% for i in range(64) %}{% set s = s + s %}{% endfor %}")
                        .render(CONVERSATION, false));
    }

    @Test
    void unboundedRecursionFails() {
        ChatTemplate template = ChatTemplate.compile("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(CONVERSATION, false));
        assertTrue(e.getMessage().contains("recursion"), e.getMessage());
    }

    @Test
    void templatesCannotLoadOtherTemplates() {
        for (String source : List.of("{% include 'chat/smollm2.jinja' %}", "{% import 'x.jinja' as x %}",
                "{% extends 'base.jinja' %}", "{% from 'x.jinja' import y %}")) {
            assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile(source).render(CONVERSATION, false),
                    source);
        }
    }

    @Test
    void javaMethodsAreNotReachable() {
        for (String source : List.of("{{ 'abc'.getBytes() }}", "{{ messages.getClass() }}", "{{ 'x'.hashCode() }}",
                "{{ messages[0].entrySet() }}")) {
            assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile(source).render(CONVERSATION, false),
                    source);
        }
    }

    @Test
    void forElseRendersTheElseBranchOnlyForAnEmptyLoop() {
        ChatTemplate template = ChatTemplate.compile("{% for m in messages %}{{ m.role[0] }}{% else %}none{% endfor %}");
        assertEquals("suau", template.render(CONVERSATION, false));
        assertEquals("none", template.render(List.of(), false));
    }

    @Test
    void renderingIsRepeatableAndIndependentAcrossTemplates() {
        ChatTemplate a = ChatTemplate.compile("{% set ns = namespace(n=0) %}{% for m in messages %}"
                + "{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
        assertEquals("4", a.render(CONVERSATION, false));
        assertEquals("4", a.render(CONVERSATION, false));
        assertEquals("1", a.render(List.of(ChatMessage.user("x")), false));
    }
}
