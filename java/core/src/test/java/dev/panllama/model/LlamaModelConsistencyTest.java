package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine against itself and against the plain-Java reference on stories260K (F32 weights, GQA 8/4,
 * head_dim 8): token-by-token decode, batched prefill and the reference must give the same logits.
 */
class LlamaModelConsistencyTest {
    static GgufFile file;
    static LlamaModel model;
    static final int[] PROMPT = {1, 403, 407, 261, 378, 395, 289, 260, 410, 260, 285, 269, 408, 301, 270, 260,
                                 355, 283, 353, 270, 427, 262, 406, 302, 258, 400, 263, 265, 384, 274, 267, 373};

    @BeforeAll
    static void load() {
        file = GgufFile.open(TestModels.stories260K());
        model = LlamaModel.load(file);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (file != null) file.close();
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static List<float[]> decodeOneByOne(InferenceState s, int[] tokens) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            s.eval(tokens, i, 1);
            out.add(s.logits().clone());
        }
        return out;
    }

    @Test
    void configMatchesTheFile() {
        LlamaConfig c = model.config();
        assertEquals(64, c.embeddingLength());
        assertEquals(5, c.blockCount());
        assertEquals(8, c.headCount());
        assertEquals(4, c.headCountKv());
        assertEquals(512, c.vocabSize());
        assertEquals(5, model.weights().layers().length);
    }

    @Test
    void decodeMatchesThePlainJavaReference() {
        for (int kv : new int[] {StateOptions.KV_F32, StateOptions.KV_F16}) {
            ReferenceLlama ref = new ReferenceLlama(model.config(), model.weights(), kv == StateOptions.KV_F16);
            try (InferenceState s = model.newState(new StateOptions(64, kv, 1, 16))) {
                List<float[]> ours = decodeOneByOne(s, PROMPT);
                float worst = 0;
                for (int i = 0; i < PROMPT.length; i++) worst = Math.max(worst, maxAbsDiff(ref.forward(PROMPT[i]), ours.get(i)));
                // F32 weights and activations: only summation order differs (and, for an F16 cache, which
                // side of an F16 rounding boundary a K/V value falls on)
                float tolerance = kv == StateOptions.KV_F32 ? 2e-4f : 1e-2f;
                System.out.printf("stories260K decode vs reference, kv %s: max |diff| = %.3g%n", kv == 0 ? "f32" : "f16", worst);
                assertTrue(worst < tolerance, "kv type " + kv + ": max |ours - reference| = " + worst);
            }
        }
    }

    @Test
    void batchedPrefillMatchesDecode() {
        try (InferenceState one = model.newState(new StateOptions(64, StateOptions.KV_F16, 1, 1));
             InferenceState batched = model.newState(new StateOptions(64, StateOptions.KV_F16, 2, 7))) {
            List<float[]> byOne = decodeOneByOne(one, PROMPT);
            List<float[]> all = new ArrayList<>();
            batched.evalAll(PROMPT, 0, PROMPT.length, (i, logits) -> {
                assertEquals(all.size(), i);
                all.add(logits.clone());
            });
            assertEquals(PROMPT.length, batched.position());
            float worst = 0;
            for (int i = 0; i < PROMPT.length; i++) worst = Math.max(worst, maxAbsDiff(byOne.get(i), all.get(i)));
            assertTrue(worst < 1e-3f, "max |prefill - decode| = " + worst);
            assertArrayEquals(all.get(PROMPT.length - 1), batched.logits(), "logits() holds the last token's");
            // eval computes the last layer for the last row only; same numbers as the full evalAll
            try (InferenceState pruned = model.newState(new StateOptions(64, StateOptions.KV_F16, 2, 7))) {
                pruned.eval(PROMPT, 0, PROMPT.length);
                float d = maxAbsDiff(all.get(PROMPT.length - 1), pruned.logits());
                assertTrue(d < 1e-4f, "eval (last layer pruned) vs evalAll: " + d);
            }
        }
    }

    @Test
    void threadCountDoesNotChangeResults() {
        try (InferenceState a = model.newState(new StateOptions(64, StateOptions.KV_F16, 1, 8));
             InferenceState b = model.newState(new StateOptions(64, StateOptions.KV_F16, 2, 8))) {
            a.eval(PROMPT, 0, PROMPT.length);
            b.eval(PROMPT, 0, PROMPT.length);
            assertArrayEquals(a.logits(), b.logits());
        }
    }

    @Test
    void truncateReusesTheSharedPrefix() {
        try (InferenceState s = model.newState(new StateOptions(64, StateOptions.KV_F16, 1, 8))) {
            s.eval(PROMPT, 0, 12);
            s.eval(PROMPT, 12, 8);
            float[] expected = s.logits().clone();
            s.eval(PROMPT, 20, 5);
            s.truncate(12);
            assertEquals(12, s.position());
            s.eval(PROMPT, 12, 8);
            assertArrayEquals(expected, s.logits());
        }
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        try (InferenceState s = model.newState(new StateOptions(16, StateOptions.KV_F16, 1, 8))) {
            PanllamaException e = assertThrows(PanllamaException.class, () -> s.eval(PROMPT, 0, 17));
            assertTrue(e.getMessage().contains("context"), e.getMessage());
            assertEquals(0, s.position());
            s.eval(PROMPT, 0, 16); // exactly full is fine
            assertThrows(PanllamaException.class, () -> s.eval(PROMPT, 16, 1));
        }
    }

    @Test
    void tokenOutsideTheVocabularyIsAClearError() {
        try (InferenceState s = model.newState(new StateOptions(16, StateOptions.KV_F16, 1, 8))) {
            PanllamaException e = assertThrows(PanllamaException.class, () -> s.eval(new int[] {1, 512}, 0, 2));
            assertTrue(e.getMessage().contains("512"), e.getMessage());
            assertThrows(PanllamaException.class, () -> s.eval(new int[] {-1}, 0, 1));
            assertEquals(0, s.position());
        }
    }

    @Test
    void kvCacheSizeIsReported() {
        // 2 * 5 layers * 4 kv heads * 8 dims * 2 bytes = 640 bytes per token
        assertEquals(640.0, model.kvBytesPerToken(StateOptions.KV_F16));
        assertEquals(1280.0, model.kvBytesPerToken(StateOptions.KV_F32));
        try (InferenceState s = model.newState(new StateOptions(100, StateOptions.KV_F16, 1, 8))) {
            assertEquals(64_000, s.kvCacheBytes());
        }
        // head_dim 8 cannot be stored in 32-element Q8_0 blocks
        PanllamaException e = assertThrows(PanllamaException.class,
                () -> model.newState(new StateOptions(100, StateOptions.KV_Q8_0, 1, 8)));
        assertTrue(e.getMessage().contains("Q8_0"), e.getMessage());
    }

    @Test
    void closedStateRefusesWork() {
        InferenceState s = model.newState(new StateOptions(16, StateOptions.KV_F16, 1, 8));
        s.close();
        s.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.eval(PROMPT, 0, 1));
    }
}
