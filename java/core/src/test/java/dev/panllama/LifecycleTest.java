package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Cancellation, closing and concurrent sessions. */
class LifecycleTest {
    private static final GenerateOptions GREEDY = GenerateOptions.builder().greedy().build();

    /** A fake that never ends by itself: every token is followed by 'a'..'z' in turn. */
    private static FakeModel endless() {
        FakeModel fake = new FakeModel();
        for (int i = 0; i < fake.next.length; i++) fake.next[i] = 'a' + (i % 26);
        return fake;
    }

    private static void inOtherThread(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cancelFromAnotherThreadEndsAfterTheCurrentToken() {
        FakeModel fake = endless();
        try (Model model = fake.model(); Session s = model.newSession()) {
            AtomicInteger seen = new AtomicInteger();
            GenerationResult r = s.generate("go", GREEDY, t -> {
                if (seen.incrementAndGet() == 3) inOtherThread(s::cancel);
            });
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(3, r.tokens().size());
            assertEquals(3, r.text().length());
            // the session is usable again and a later generation is not pre-cancelled
            assertEquals(StopReason.MAX_TOKENS, s.generate("go", GREEDY.toBuilder().maxTokens(4).build()).stopReason());
            s.cancel(); // idle: no effect
            assertEquals(StopReason.MAX_TOKENS, s.generate("go", GREEDY.toBuilder().maxTokens(4).build()).stopReason());
        }
    }

    @Test
    void cancelDuringPrefillKeepsWhatWasEvaluated() {
        FakeModel fake = endless();
        try (Model model = fake.model(); Session s = model.newSession(SessionOptions.builder().batchSize(2).build())) {
            AtomicInteger calls = new AtomicInteger();
            fake.hook = (state, n) -> {
                if (calls.incrementAndGet() == 2) inOtherThread(s::cancel);
            };
            GenerationResult r = s.generate("123456789", GREEDY); // 10 tokens, batches of 2
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(0, r.tokens().size());
            assertEquals(4, s.cachedTokens()); // the two batches that ran
            fake.hook = (state, n) -> {};
            assertEquals(4, s.generate("123456789", GREEDY.toBuilder().maxTokens(1).build()).stats().cachedPromptTokens());
        }
    }

    @Test
    void tokenStreamCancelAndEarlyClose() {
        FakeModel fake = endless();
        try (Model model = fake.model(); Session s = model.newSession()) {
            try (TokenStream ts = s.stream("go", GREEDY)) {
                ts.next();
                ts.next();
                ts.cancel();
                assertFalse(ts.hasNext());
                GenerationResult r = ts.result();
                assertEquals(StopReason.CANCELLED, r.stopReason());
                assertEquals(2, r.tokens().size());
            }
            TokenStream open = s.stream("go", GREEDY);
            open.next();
            PanllamaException busy = assertThrows(PanllamaException.class, () -> s.generate("go", GREEDY));
            assertTrue(busy.getMessage().contains("already generating"), busy.getMessage());
            open.close();
            assertEquals(StopReason.CANCELLED, open.result().stopReason());
            assertEquals(5, s.generate("go", GREEDY.toBuilder().maxTokens(5).build()).tokens().size());
            // Stream API: limit() then close
            try (TokenStream ts = s.stream("go", GREEDY); var st = ts.stream()) {
                assertEquals(4, st.limit(4).count());
            }
            assertEquals(2, s.generate("go", GREEDY.toBuilder().maxTokens(2).build()).tokens().size());
        }
    }

    @Test
    void anExceptionInTheCallbackEndsTheGenerationAndFreesTheSession() {
        FakeModel fake = endless();
        try (Model model = fake.model(); Session s = model.newSession()) {
            assertThrows(IllegalStateException.class, () -> s.generate("go", GREEDY, t -> {
                throw new IllegalStateException("consumer failed");
            }));
            assertEquals(3, s.generate("go", GREEDY.toBuilder().maxTokens(3).build()).tokens().size());
        }
    }

    @Test
    void closingTheSessionMidGenerationCancelsCleanly() {
        FakeModel fake = endless();
        Model model = fake.model();
        Session s = model.newSession();
        AtomicInteger seen = new AtomicInteger();
        GenerationResult r = s.generate("go", GREEDY, t -> {
            if (seen.incrementAndGet() == 2) inOtherThread(s::close);
        });
        assertEquals(StopReason.CANCELLED, r.stopReason());
        assertEquals(2, r.tokens().size());
        assertTrue(s.isClosed());
        assertTrue(fake.engine.states.getFirst().closed);
        PanllamaException e = assertThrows(PanllamaException.class, () -> s.generate("go", GREEDY));
        assertTrue(e.getMessage().contains("session is closed"), e.getMessage());
        assertThrows(PanllamaException.class, s::clearCache);
        s.close(); // idempotent
        model.close();
    }

    @Test
    void closingTheModelClosesItsSessionsThenTheWeights() {
        FakeModel fake = endless();
        Model model = fake.model();
        Session a = model.newSession();
        Session b = model.newSession();
        a.close();
        model.close();
        assertTrue(b.isClosed());
        assertTrue(fake.engine.closed); // FakeEngine.close asserts every state was closed first
        for (var st : fake.engine.states) assertTrue(st.closed);
        PanllamaException e = assertThrows(PanllamaException.class, model::newSession);
        assertTrue(e.getMessage().contains("model is closed"), e.getMessage());
        assertThrows(PanllamaException.class, () -> b.generate("go", GREEDY));
        assertThrows(PanllamaException.class, () -> model.tokenize("x", true, true));
        assertThrows(PanllamaException.class, () -> model.detokenize(new int[] {1}));
        model.close();
    }

    @Test
    void closingTheModelWhileAnotherThreadGenerates() throws Exception {
        FakeModel fake = endless();
        Model model = fake.model();
        Session s = model.newSession();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // the generating thread waits in its callback (outside any lock) until the model is closed
            Future<GenerationResult> f = pool.submit(() -> s.generate("go", GREEDY, t -> {
                started.countDown();
                try {
                    assertTrue(closed.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            model.close();
            closed.countDown();
            GenerationResult r = f.get(10, TimeUnit.SECONDS);
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertTrue(fake.engine.closed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sessionsOnOneModelRunConcurrentlyWithSeparateCaches() throws Exception {
        FakeModel fake = endless();
        int threads = 4, rounds = 15;
        try (Model model = fake.model()) {
            // the reference, one generation at a time
            List<String> expected = new ArrayList<>();
            try (Session ref = model.newSession()) {
                for (int t = 0; t < threads; t++) {
                    for (int i = 0; i < rounds; i++) expected.add(ref.generate(prompt(t, i), sampled(t, i)).text());
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<List<String>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        go.await();
                        List<String> out = new ArrayList<>();
                        try (Session s = model.newSession()) {
                            for (int i = 0; i < rounds; i++) out.add(s.generate(prompt(thread, i), sampled(thread, i)).text());
                        }
                        return out;
                    }));
                }
                go.countDown();
                List<String> actual = new ArrayList<>();
                for (var f : futures) actual.addAll(f.get(60, TimeUnit.SECONDS));
                assertEquals(expected, actual);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1 + threads, fake.engine.states.size());
        }
    }

    private static String prompt(int thread, int round) {
        return "thread " + thread + " round " + (round % 3); // repeats exercise the prefix cache
    }

    private static GenerateOptions sampled(int thread, int round) {
        return GenerateOptions.builder().temperature(1.2f).maxTokens(12).seed(thread * 1000L + round).build();
    }
}
