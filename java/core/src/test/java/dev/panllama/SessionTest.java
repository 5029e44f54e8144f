package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import dev.panllama.sampling.ProbabilitySource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionTest {
    private static final GenerateOptions GREEDY = GenerateOptions.builder().greedy().build();

    private static List<String> texts(GenerationResult r) {
        return r.tokens().stream().map(Token::text).toList();
    }

    @Test
    void greedyFollowsTheModelAndStopsAtEos() {
        FakeModel fake = new FakeModel().scriptBytes("Hi, world!");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY);
            assertEquals("Hi, world!", r.text());
            assertEquals(StopReason.END_OF_GENERATION, r.stopReason());
            assertEquals(10, r.tokens().size());
            assertEquals(1, r.stats().promptTokens());      // BOS
            assertEquals(11, r.stats().generatedTokens());  // 10 bytes + EOS
            assertTrue(r.tokens().stream().noneMatch(t -> t.id() == FakeModel.EOS));
            assertEquals(r.stats().promptTokens() + 10, s.cachedTokens()); // EOS sampled, never evaluated
        }
    }

    @Test
    void callbackIteratorStreamAndBlockingAgree() {
        FakeModel fake = new FakeModel().scriptBytes("stream ok");
        try (Model model = fake.model(); Session s = model.newSession()) {
            List<Token> seen = new ArrayList<>();
            GenerationResult blocking = s.generate("", GREEDY, seen::add);
            assertEquals(blocking.tokens(), seen);
            assertEquals(blocking.text(), seen.stream().map(Token::text).collect(Collectors.joining()));

            List<Token> iterated = new ArrayList<>();
            try (TokenStream ts = s.stream("", GREEDY)) {
                ts.forEachRemaining(iterated::add);
                assertEquals(blocking.text(), ts.result().text());
            }
            assertEquals(texts(blocking), iterated.stream().map(Token::text).toList());

            try (TokenStream ts = s.stream("", GREEDY)) {
                assertEquals(blocking.text(), ts.stream().map(Token::text).collect(Collectors.joining()));
            }
        }
    }

    @Test
    void multiByteCharactersComeOutWholeWithTheTokenThatCompletesThem() {
        FakeModel fake = new FakeModel().scriptBytes("aé😀b");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY);
            assertEquals("aé😀b", r.text());
            assertEquals(List.of("a", "", "é", "", "", "", "😀", "b"), texts(r));
            // cut inside the emoji: the unfinished character is flushed as U+FFFD
            GenerationResult cut = s.generate("", GREEDY.toBuilder().maxTokens(5).build());
            assertEquals("aé\uFFFD", cut.text());
            assertEquals(StopReason.MAX_TOKENS, cut.stopReason());
            assertEquals(5, cut.tokens().size());
        }
    }

    @Test
    void stopStringIsNotEmittedEvenAcrossTokens() {
        FakeModel fake = new FakeModel("one", " two", "\nthree");
        fake.script(FakeModel.BOS, fake.piece("one"), fake.piece(" two"), '\n', fake.piece("\nthree"));
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().stop("\n\n").build());
            assertEquals("one two", r.text());
            assertEquals(StopReason.STOP_STRING, r.stopReason());
            assertEquals("\n\n", r.stopString().orElseThrow());
            assertEquals(List.of("one", " two"), texts(r));
            assertEquals(4, r.stats().generatedTokens());
            // the earliest of several stop strings wins
            GenerationResult r2 = s.generate("", GREEDY.toBuilder().stop("three", "two").build());
            assertEquals("one ", r2.text());
            assertEquals("two", r2.stopString().orElseThrow());
        }
    }

    @Test
    void stopStringInsideMultiCharacterPieces() {
        FakeModel fake = new FakeModel("hello ", "wo", "rld", "!", "lo\n\nx");
        fake.script(FakeModel.BOS, fake.piece("hello "), fake.piece("wo"), fake.piece("rld"), fake.piece("!"));
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().stop("world").build());
            assertEquals("hello ", r.text());
            assertEquals(List.of("hello "), texts(r));
            // a held prefix that turns out not to be a stop string is released, token by token
            GenerationResult r2 = s.generate("", GREEDY.toBuilder().stop("wox").build());
            assertEquals("hello world!", r2.text());
            assertEquals(List.of("hello ", "wo", "rld", "!"), texts(r2));
            assertEquals(StopReason.END_OF_GENERATION, r2.stopReason());
        }
        FakeModel inner = new FakeModel("hel", "lo\n\nx");
        inner.script(FakeModel.BOS, inner.piece("hel"), inner.piece("lo\n\nx"));
        try (Model model = inner.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().stop("\n\n").build());
            assertEquals("hello", r.text());
            assertEquals(List.of("hel", "lo"), texts(r)); // the stopping token keeps the text before the stop
        }
    }

    @Test
    void heldTextIsFlushedWhenGenerationEndsOtherwise() {
        FakeModel fake = new FakeModel().scriptBytes("ab\n");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().stop("\n\n").build());
            assertEquals("ab\n", r.text()); // "\n" was held as a possible start of "\n\n", then EOS came
            assertEquals(StopReason.END_OF_GENERATION, r.stopReason());
        }
    }

    @Test
    void ignoreEosKeepsGoingAndMaxTokensStops() {
        FakeModel fake = new FakeModel().scriptBytes("ab");
        fake.next[FakeModel.EOS] = 'a';
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().ignoreEos(true).maxTokens(7).build());
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(List.of((int) 'a', (int) 'b', FakeModel.EOS, (int) 'a', (int) 'b', FakeModel.EOS, (int) 'a'),
                    r.tokens().stream().map(Token::id).toList());
            assertEquals("ababa", r.text());
        }
    }

    @Test
    void generationStopsCleanlyAtTheEndOfTheContext() {
        FakeModel fake = new FakeModel();
        for (int i = 0; i < 256; i++) fake.next[i] = 'x'; // never ends by itself
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().contextLength(8).build())) {
            GenerationResult r = s.generate("abcd", GREEDY); // BOS + 4 = 5 prompt tokens
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(4, r.tokens().size()); // 3 evaluated (positions 5..7) + the last one sampled from a full cache
            assertEquals(8, s.cachedTokens());
            // a prompt that exactly fills the context still yields its one token
            GenerationResult full = s.generate("abcdefg", GREEDY);
            assertEquals(1, full.tokens().size());
            assertEquals(StopReason.CONTEXT_FULL, full.stopReason());
            PanllamaException e = assertThrows(PanllamaException.class, () -> s.generate("abcdefgh", GREEDY));
            assertTrue(e.getMessage().contains("9 tokens") && e.getMessage().contains("holds 8"), e.getMessage());
            // the session is still usable after the refusal
            assertEquals(StopReason.CONTEXT_FULL, s.generate("a", GREEDY).stopReason());
        }
    }

    @Test
    void badPromptsAreClearErrors() {
        FakeModel fake = new FakeModel().scriptBytes("x");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerateOptions noBos = GREEDY.toBuilder().addSpecial(false).build();
            assertThrows(PanllamaException.class, () -> s.generate("", noBos));
            assertThrows(PanllamaException.class, () -> s.generate(new int[] {1, 9999}, GREEDY, t -> {}));
            assertThrows(PanllamaException.class, () -> s.generate(new int[] {-1}, GREEDY, t -> {}));
            assertEquals("x", s.generate("", GREEDY).text());
        }
    }

    @Test
    void promptPrefixInTheCacheIsNotEvaluatedAgain() {
        FakeModel fake = new FakeModel();
        for (int i = 0; i < 256; i++) fake.next[i] = 'z';
        try (Model model = fake.model(); Session s = model.newSession()) {
            FakeModel.FakeState state = fake.engine.states.getFirst();
            GenerateOptions three = GREEDY.toBuilder().maxTokens(3).build();
            GenerationResult first = s.generate("the cat", three); // 8 prompt tokens, "zzz"
            assertEquals(0, first.stats().cachedPromptTokens());
            assertEquals(8 + 2, state.evaluated.get()); // the third token is not evaluated (max tokens)

            // follow-up: previous prompt + generated text + more; everything up to "zz" is cached
            int before = state.evaluated.get();
            GenerationResult second = s.generate("the catzzz sat", three);
            assertEquals(15, second.stats().promptTokens());
            assertEquals(10, second.stats().cachedPromptTokens());
            assertEquals(5 + 2, state.evaluated.get() - before);

            // the same prompt again: all but its last token are reused
            before = state.evaluated.get();
            GenerationResult again = s.generate("the catzzz sat", three);
            assertEquals(14, again.stats().cachedPromptTokens());
            assertEquals(second.text(), again.text());
            assertEquals(1 + 2, state.evaluated.get() - before);

            // a different prompt keeps only the shared prefix ("the ")
            GenerationResult other = s.generate("the dog", three);
            assertEquals(5, other.stats().cachedPromptTokens());

            s.clearCache();
            assertEquals(0, s.cachedTokens());
            assertEquals(0, s.generate("the dog", three).stats().cachedPromptTokens());
        }
    }

    @Test
    void prefillRunsInBatches() {
        FakeModel fake = new FakeModel().scriptBytes("q");
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().batchSize(3).build())) {
            s.generate("abcdefg", GREEDY.toBuilder().maxTokens(1).build()); // 8 prompt tokens: 3 + 3 + 2
            assertEquals(3, fake.engine.states.getFirst().evalCalls.get());
        }
    }

    @Test
    void logprobsAreTheModelsLogSoftmaxWithTopAlternatives() {
        FakeModel fake = new FakeModel().scriptBytes("hi");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationResult r = s.generate("", GREEDY.toBuilder().topLogprobs(3).logprobSource(ProbabilitySource.MODEL).build());
            Token h = r.tokens().getFirst();
            float[] logits = fake.logitsAfter(FakeModel.BOS);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float l : logits) max = Math.max(max, l);
            for (float l : logits) sum += Math.exp(l - max);
            double lse = max + Math.log(sum);
            assertEquals(logits['h'] - lse, h.logprob(), 1e-5);
            assertEquals(3, h.alternatives().size());
            assertEquals('h', h.alternatives().getFirst().id());
            assertEquals("h", h.alternatives().getFirst().text());
            assertEquals(h.logprob(), h.alternatives().getFirst().logprob(), 1e-6);
            assertTrue(h.alternatives().get(1).logprob() >= h.alternatives().get(2).logprob());
            // from the sampled distribution, greedy is certain
            GenerationResult sampled = s.generate("", GREEDY); // SAMPLED is the default
            assertEquals(0f, sampled.tokens().getFirst().logprob(), 1e-7);
            assertTrue(sampled.tokens().getFirst().alternatives().isEmpty());
        }
    }

    @Test
    void sameSeedSameText() {
        FakeModel fake = new FakeModel();
        for (int i = 0; i < fake.next.length; i++) fake.next[i] = 'a' + (i % 26);
        try (Model model = fake.model(); Session a = model.newSession(); Session b = model.newSession()) {
            GenerateOptions o = GenerateOptions.builder().temperature(1.5f).topK(0).topP(1).minP(0).maxTokens(40).seed(99).build();
            GenerationResult ra = a.generate("x", o);
            GenerationResult rb = b.generate("x", o);
            assertEquals(ra.text(), rb.text());
            assertEquals(99, ra.seed());
            GenerationResult rc = a.generate("x", o.toBuilder().seed(100).build());
            assertNotEquals(ra.text(), rc.text());
        }
    }

    @Test
    void statsAreConsistent() {
        FakeModel fake = new FakeModel().scriptBytes("stamp");
        try (Model model = fake.model(); Session s = model.newSession()) {
            GenerationStats st = s.generate("", GREEDY).stats();
            assertEquals(6, st.generatedTokens());
            assertFalse(st.timeToFirstToken().isNegative());
            assertFalse(st.promptTime().isNegative());
            assertTrue(st.generationTokensPerSecond() > 0);
            assertTrue(st.promptTokensPerSecond() > 0);
        }
    }
}
