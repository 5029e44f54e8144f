package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TestData;
import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.StateOptions;
import dev.panllama.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public API on a real model: stories260K (llama2.c, SentencePiece vocab of 512, 512-token context). */
class Stories260KTest {
    private static final GenerateOptions GREEDY = GenerateOptions.builder().greedy().build();
    private static Model model;
    /** One compute thread: these tests check behaviour, and the build machine's cores are shared. */
    private static final SessionOptions ONE_THREAD = SessionOptions.builder().threads(1).build();

    static Path storiesPath() {
        return TestData.stories260K();
    }

    @BeforeAll
    static void load() {
        model = Model.load(storiesPath());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    /** The README example, verbatim apart from the path (its output captured instead of printed). */
    @Test
    void readmeExampleRuns() {
        Path path = storiesPath();
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // --- README example ---
            try (Model model = Model.load(path);
                 Session session = model.newSession()) {
                GenerateOptions options = GenerateOptions.builder().maxTokens(100).temperature(0.7f).seed(42).build();
                GenerationResult result = session.generate("Once upon a time", options,
                        token -> System.out.print(token.text()));               // streamed as generated
                System.out.printf("%n[%s, %.1f tok/s]%n", result.stopReason(), result.stats().generationTokensPerSecond());
                Conversation chat = session.newConversation("You are a helpful assistant.");
                System.out.println(chat.send("What is the capital of France?", options).text());
            }
            // --- end ---
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        stdout.println(out);
        assertTrue(out.matches("(?s).+\\n\\[(END_OF_GENERATION|MAX_TOKENS), [0-9.]+ tok/s]\\n.*"), out);
    }

    @Test
    void aFileWithoutWeightsIsAClearError() {
        Path vocabOnly = TestData.vocab("llama-spm");
        PanllamaException e = assertThrows(PanllamaException.class, () -> Model.load(vocabOnly));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void infoComesFromTheFile() {
        ModelInfo info = model.info();
        assertEquals("llama", info.architecture());
        assertEquals(512, info.vocabSize());
        assertEquals(2048, info.trainedContextLength()); // llama.context_length in the file
        try (Session s = model.newSession(ONE_THREAD)) {
            assertEquals(2048, s.contextLength()); // min(trained, 4096)
        }
    }

    /** Greedy through the API equals a hand-written greedy loop over the engine and tokenizer. */
    @Test
    void greedyMatchesADirectEngineLoop() {
        String prompt = "One day, a little girl named Lily went to the park.";
        int n = 60;
        List<Integer> expected = new ArrayList<>();
        try (GgufFile file = GgufFile.open(storiesPath()); LlamaModel llama = LlamaModel.load(file)) {
            Tokenizer tok = Tokenizer.fromMetadata(file.metadata());
            int[] ids = tok.encode(prompt, true, true);
            try (InferenceState st = llama.newState(new StateOptions(512, StateOptions.KV_F16, 1, 64))) {
                st.eval(ids, 0, ids.length);
                for (int i = 0; i < n; i++) {
                    float[] l = st.logits();
                    int best = 0;
                    for (int j = 1; j < l.length; j++) if (l[j] > l[best]) best = j;
                    if (tok.isEndOfGeneration(best)) break;
                    expected.add(best);
                    st.eval(new int[] {best}, 0, 1);
                }
            }
        }
        try (Session s = model.newSession(SessionOptions.builder().threads(1).batchSize(64).build())) {
            GenerationResult r = s.generate(prompt, GREEDY.toBuilder().maxTokens(n).build());
            assertEquals(expected, r.tokens().stream().map(Token::id).toList());
            assertEquals(model.detokenize(expected.stream().mapToInt(Integer::intValue).toArray()), r.text());
            assertFalse(r.text().isBlank());
        }
    }

    /** Reusing a cached prefix gives exactly what a fresh session computes for the same prompt. */
    @Test
    void prefixReuseMatchesAFreshSession() {
        GenerateOptions o = GREEDY.toBuilder().maxTokens(30).build();
        try (Session warm = model.newSession(ONE_THREAD); Session cold = model.newSession(ONE_THREAD)) {
            GenerationResult first = warm.generate("Tom had a big red ball.", o);
            String followUp = "Tom had a big red ball." + first.text() + " Then his mom said";
            GenerationResult reused = warm.generate(followUp, o);
            assertTrue(reused.stats().cachedPromptTokens() > 5, "cached " + reused.stats().cachedPromptTokens());
            GenerationResult fresh = cold.generate(followUp, o);
            assertEquals(0, fresh.stats().cachedPromptTokens());
            assertEquals(fresh.tokens().stream().map(Token::id).toList(), reused.tokens().stream().map(Token::id).toList());
        }
    }

    @Test
    void seededSamplingIsTheSameForAnyThreadCount() {
        GenerateOptions o = GenerateOptions.builder().temperature(1.0f).maxTokens(24).seed(7).build();
        String a, b;
        try (Session one = model.newSession(SessionOptions.builder().threads(1).build())) {
            a = one.generate("The sun was shining and the birds", o).text();
        }
        try (Session two = model.newSession(SessionOptions.builder().threads(2).build())) {
            b = two.generate("The sun was shining and the birds", o).text();
        }
        assertEquals(a, b);
    }

    @Test
    void kvCacheTypesSizeTheCache() {
        GenerateOptions o = GREEDY.toBuilder().maxTokens(20).build();
        SessionOptions.Builder b = SessionOptions.builder().contextLength(256).threads(1);
        try (Session f32 = model.newSession(b.kvCacheType(KvCacheType.F32).build());
             Session f16 = model.newSession(b.kvCacheType(KvCacheType.F16).build())) {
            assertEquals(f32.kvCacheBytes(), 2 * f16.kvCacheBytes());
            GenerationResult a = f32.generate("Once upon a time", o);
            GenerationResult c = f16.generate("Once upon a time", o);
            assertEquals(20, a.tokens().size());
            assertEquals(a.text(), c.text(), "an F16 cache should not change 20 greedy tokens of stories260K");
        }
        // stories260K's head dimension (8) cannot be blocked in 32s: a clear refusal, and the model stays usable
        PanllamaException e = assertThrows(PanllamaException.class,
                () -> model.newSession(b.kvCacheType(KvCacheType.Q8_0).build()));
        assertTrue(e.getMessage().contains("Q8_0"), e.getMessage());
        try (Session s = model.newSession(ONE_THREAD)) {
            assertEquals(20, s.generate("Once upon a time", o).tokens().size());
        }
    }

    @Test
    void generationStopsAtTheEndOfTheContext() {
        try (Session s = model.newSession(SessionOptions.builder().contextLength(24).threads(1).build())) {
            GenerationResult r = s.generate("Once upon a time", GREEDY.toBuilder().ignoreEos(true).build());
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(24 - r.stats().promptTokens() + 1, r.stats().generatedTokens());
            assertThrows(PanllamaException.class, () -> s.generate("word ".repeat(40), GREEDY));
        }
    }

    @Test
    void sessionsRunConcurrentlyOnOneModel() throws Exception {
        String[] prompts = {"Once upon a time", "Tom had a big red ball. He", "The sun was shining", "Lily saw a cat"};
        GenerateOptions o = GREEDY.toBuilder().maxTokens(40).build();
        List<String> expected = new ArrayList<>();
        try (Session s = model.newSession(ONE_THREAD)) {
            for (String p : prompts) expected.add(s.generate(p, o).text());
        }
        ExecutorService pool = Executors.newFixedThreadPool(prompts.length);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (String p : prompts) {
                futures.add(pool.submit(() -> {
                    try (Session s = model.newSession(ONE_THREAD)) {
                        String text = null;
                        for (int i = 0; i < 3; i++) text = s.generate(p, o).text();
                        return text;
                    }
                }));
            }
            List<String> actual = new ArrayList<>();
            for (var f : futures) actual.add(f.get(120, TimeUnit.SECONDS));
            assertEquals(expected, actual);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedModelIsAClearError() {
        Model m = Model.load(storiesPath());
        Session s = m.newSession(ONE_THREAD);
        m.close();
        assertTrue(s.isClosed());
        assertThrows(PanllamaException.class, () -> s.generate("Once"));
        assertThrows(PanllamaException.class, m::newSession);
        assertThrows(PanllamaException.class, () -> Model.load(Path.of("/nonexistent/model.gguf")));
    }
}
