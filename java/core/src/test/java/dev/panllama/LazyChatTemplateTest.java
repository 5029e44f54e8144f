package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import dev.panllama.gguf.GgmlType;
import dev.panllama.synthetic.SyntheticLlama;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat template is compiled when first rendered, not when the model loads. */
class LazyChatTemplateTest {
    @TempDir
    static Path dir;

    private static Path model() {
        Path file = dir.resolve("small.gguf");
        if (!file.toFile().exists()) SyntheticLlama.of(SyntheticLlama.smallShape(512), GgmlType.F32, 3, null).write(file);
        return file;
    }

    @Test
    void aBrokenTemplateFailsOnUseNotOnLoad() {
        String broken = "{% for m in messages %}{{ m.content }"; // unclosed expression and loop
        try (Model model = Model.load(model(), ModelOptions.defaults().withChatTemplate(broken))) {
            assertEquals(broken, model.chatTemplateSource(), "the source is there without compiling");
            assertTrue(model.tokenize("tok1", false, false).length > 0, "the rest of the model works");
            List<ChatMessage> messages = List.of(ChatMessage.user("hi"));
            PanllamaException first = assertThrows(PanllamaException.class, () -> model.applyChatTemplate(messages, true));
            assertTrue(first.getMessage().contains("small.gguf does not compile"), first.getMessage());
            PanllamaException again = assertThrows(PanllamaException.class, () -> model.applyChatTemplate(messages, true));
            assertSame(first, again, "compiled once; every use reports the same failure");
        }
    }

    @Test
    void withoutATemplateChatMlRendersOnFirstUse() {
        try (Model model = Model.load(model())) {
            assertEquals(dev.panllama.chat.ChatTemplate.CHATML_SOURCE, model.chatTemplateSource());
            assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
                    model.applyChatTemplate(List.of(ChatMessage.user("hi")), true));
        }
    }
}
