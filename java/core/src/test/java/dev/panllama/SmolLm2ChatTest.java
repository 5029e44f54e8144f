package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import dev.panllama.gguf.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chat end to end on SmolLM2-135M-Instruct (byte-level BPE, ChatML template in the file). */
class SmolLm2ChatTest {

    @Test
    void chatAnswersAndAFollowUpReusesTheCache() {
        try (Model model = Model.load(TestData.smolLm2());
             Session session = model.newSession(SessionOptions.builder().contextLength(1024).threads(1).build())) {
            assertTrue(model.chatTemplateSource().contains("<|im_start|>"), "the file's own ChatML template");
            GenerateOptions greedy = GenerateOptions.builder().greedy().maxTokens(48).build();
            Conversation chat = session.newConversation("You are a helpful assistant.");

            List<Token> streamed = new ArrayList<>();
            GenerationResult first = chat.send("What is the capital of France?", greedy, streamed::add);
            assertTrue(first.text().contains("Paris"), first.text());
            assertEquals(StopReason.END_OF_GENERATION, first.stopReason(), first.text()); // <|im_end|>
            assertFalse(first.text().contains("<|im_end|>"));

            GenerationResult second = chat.send("And what is the capital of Italy?", greedy);
            assertTrue(second.text().contains("Rome"), second.text());
            // everything up to the end of the first reply stayed in the cache
            int firstPrompt = first.stats().promptTokens();
            assertTrue(second.stats().cachedPromptTokens() >= firstPrompt + first.tokens().size() - 1,
                    second.stats() + " after " + first.stats());
            assertTrue(second.stats().promptTokens() - second.stats().cachedPromptTokens() < 25,
                    "only the new turn is evaluated: " + second.stats());
            System.out.printf("SmolLM2 chat: first turn %s%nsecond turn %s%n", first.stats(), second.stats());
        }
    }

    @Test
    void stopStringsAndLogprobsOnARealVocabulary() {
        try (Model model = Model.load(TestData.smolLm2());
             Session session = model.newSession(SessionOptions.builder().contextLength(256).threads(1).build())) {
            GenerateOptions o = GenerateOptions.builder().greedy().maxTokens(40).topLogprobs(5)
                    .logprobSource(dev.panllama.sampling.ProbabilitySource.MODEL).build();
            GenerationResult full = session.generate("The capital of France is", o);
            assertTrue(full.text().contains("Paris"), full.text());
            // stopping at "Paris" keeps exactly the text before it
            GenerationResult cut = session.generate("The capital of France is", o.toBuilder().stop("Paris").build());
            assertEquals(StopReason.STOP_STRING, cut.stopReason());
            assertEquals(full.text().substring(0, full.text().indexOf("Paris")), cut.text());
            for (Token t : full.tokens()) {
                assertEquals(5, t.alternatives().size());
                assertEquals(t.id(), t.alternatives().getFirst().id()); // greedy = most likely
                assertTrue(t.logprob() <= 0);
            }
        }
    }
}
