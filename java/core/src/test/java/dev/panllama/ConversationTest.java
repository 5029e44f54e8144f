package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationTest {
    private static final GenerateOptions GREEDY = GenerateOptions.builder().greedy().build();

    /** After the assistant opening ("...assistant\n") the fake replies "OK", then EOS. */
    private static FakeModel replyingOk() {
        FakeModel fake = new FakeModel();
        fake.next['\n'] = 'O';
        fake.next['O'] = 'K';
        fake.next['K'] = FakeModel.EOS;
        return fake;
    }

    @Test
    void rendersTheWholeConversationWithTheTemplate() {
        FakeModel fake = replyingOk();
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().contextLength(256).build())) {
            Conversation chat = s.newConversation("Be brief.");
            GenerationResult r = chat.send("Hi", GREEDY);
            assertEquals("OK", r.text());
            assertEquals(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("OK")),
                    chat.messages());
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                    model.applyChatTemplate(chat.messages().subList(0, 2), true));
            // the prompt was exactly that text (plus BOS)
            assertEquals(1 + "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n".length(),
                    r.stats().promptTokens());
        }
    }

    @Test
    void aFollowUpTurnEvaluatesOnlyItsNewTokens() {
        FakeModel fake = replyingOk();
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().contextLength(512).build())) {
            FakeModel.FakeState state = fake.engine.states.getFirst();
            Conversation chat = s.newConversation("Be brief.");
            GenerationResult first = chat.send("Hi", GREEDY);
            int[] p1 = model.tokenize(model.applyChatTemplate(chat.messages().subList(0, 2), true), true, true);

            int before = state.evaluated.get();
            GenerationResult second = chat.send("Again?", GREEDY);
            int[] p2 = model.tokenize(model.applyChatTemplate(chat.messages().subList(0, 4), true), true, true);
            // the new prompt extends the old one and the reply
            int kept = p1.length + first.tokens().size();
            assertArrayEquals(Arrays.copyOf(p1, p1.length), Arrays.copyOf(p2, p1.length));
            assertEquals(kept, second.stats().cachedPromptTokens());
            assertEquals(p2.length, second.stats().promptTokens());
            // evaluated: the new prompt tokens, then "O" and "K" (EOS is never evaluated)
            assertEquals(p2.length - kept + 2, state.evaluated.get() - before);
            assertEquals("<|im_end|>\n<|im_start|>user\nAgain?<|im_end|>\n<|im_start|>assistant\n".length(), p2.length - kept);
            assertEquals(5, chat.messages().size());
        }
    }

    @Test
    void aFailedTurnLeavesTheHistoryAsItWas() {
        FakeModel fake = replyingOk();
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().contextLength(80).build())) {
            Conversation chat = s.newConversation();
            chat.send("Hi", GREEDY);
            List<ChatMessage> before = chat.messages();
            PanllamaException e = assertThrows(PanllamaException.class, () -> chat.send("x".repeat(100), GREEDY));
            assertTrue(e.getMessage().contains("context"), e.getMessage());
            assertEquals(before, chat.messages());
            assertEquals(ChatMessage.assistant("OK"), chat.removeLast());
            // regenerate the reply for the history as it stands
            assertEquals("OK", chat.reply(GREEDY, t -> {}).text());
            chat.clear();
            assertTrue(chat.messages().isEmpty());
        }
    }
}
