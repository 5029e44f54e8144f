package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panllama.PanllamaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The windowing and scoring rules of llama.cpp's perplexity, on a scripted state with known probabilities. */
class PerplexityTest {

    /** Logits: 1 at the id of the token just evaluated, 0 elsewhere. Records what it was fed. */
    static class EchoState implements InferenceState {
        final int vocab;
        final float[] logits;
        final List<int[]> windows = new ArrayList<>();
        int position;

        EchoState(int vocab) {
            this.vocab = vocab;
            this.logits = new float[vocab];
        }

        @Override public int position() { return position; }
        @Override public int contextLength() { return 64; }
        @Override public int vocabSize() { return vocab; }
        @Override public float[] logits() { return logits; }
        @Override public void truncate(int p) { position = p; }
        @Override public long kvCacheBytes() { return 0; }
        @Override public void close() {}
        @Override public void eval(int[] t, int off, int n) { throw new UnsupportedOperationException(); }

        @Override
        public void evalAll(int[] tokens, int offset, int count, LogitsSink sink) {
            if (position != 0) throw new AssertionError("each window must start from an empty cache");
            windows.add(Arrays.copyOfRange(tokens, offset, offset + count));
            for (int i = 0; i < count; i++) {
                Arrays.fill(logits, 0f);
                logits[tokens[offset + i]] = 1f;
                sink.accept(i, logits);
            }
            position += count;
        }
    }

    @Test
    void uniformLogitsGiveTheVocabularySize() {
        InferenceState uniform = new EchoState(10) {
            @Override
            public void evalAll(int[] tokens, int offset, int count, LogitsSink sink) {
                Arrays.fill(logits, 0.25f);
                for (int i = 0; i < count; i++) sink.accept(i, logits);
            }
        };
        int[] tokens = new int[40];
        Perplexity.Result r = Perplexity.compute(uniform, tokens, 16, -1, 0, null);
        assertEquals(10.0, r.ppl(), 1e-9);
        assertEquals(0.0, r.standardError(), 0.0);
        assertEquals(2 * (16 - 8 - 1), r.scoredTokens()); // two whole windows, second half minus the last
    }

    @Test
    void scoresTheSecondHalfOfEachWindowWithBosInFront() {
        int vocab = 4, n = 8;
        int[] tokens = {1, 2, 2, 3, 3, 3, 0, 1, /* window 2 */ 2, 2, 1, 1, 1, 0, 0, 3, /* dropped: */ 2, 2};
        EchoState s = new EchoState(vocab);
        Perplexity.Result r = Perplexity.compute(s, tokens, n, 3, 0, null);

        assertEquals(2, s.windows.size());
        assertEquals(3, s.windows.get(0)[0]); // BOS written over each window's first token
        assertEquals(3, s.windows.get(1)[0]);
        assertEquals(2, s.windows.get(1)[1]);

        // positions 4..6 of each window predict 5..7: p(next) = e/(e+3) when next repeats the current token, else 1/(e+3)
        double logZ = Math.log(Math.E + 3);
        double sum = 0, sum2 = 0;
        int count = 0;
        for (int w = 0; w < 2; w++)
            for (int i = 4; i <= 6; i++) {
                int cur = tokens[w * n + i], next = tokens[w * n + i + 1];
                double nll = logZ - (cur == next ? 1 : 0);
                sum += nll;
                sum2 += nll * nll;
                count++;
            }
        double mean = sum / count;
        assertEquals(6, r.scoredTokens());
        assertEquals(Math.exp(mean), r.ppl(), 1e-6);
        assertEquals(Math.exp(mean) * Math.sqrt((sum2 / count - mean * mean) / (count - 1)), r.standardError(), 1e-6);
        assertEquals(2, r.windowPpl().size());
    }

    @Test
    void refusesATextShorterThanTwoWindows() {
        PanllamaException e = assertThrows(PanllamaException.class,
                () -> Perplexity.compute(new EchoState(4), new int[15], 8, -1, 0, null));
        assertEquals(true, e.getMessage().contains("16"), e.getMessage());
    }
}
