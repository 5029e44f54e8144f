package dev.panllama.model;

import dev.panllama.PanllamaException;
import java.util.Arrays;
import java.util.List;

/**
 * Perplexity the way llama.cpp's {@code llama-perplexity} computes it, so the numbers compare one to one:
 * the token stream is cut into non-overlapping windows of {@code windowLength} tokens (a trailing
 * partial window is dropped); each window is evaluated from an empty cache, its first token replaced
 * by BOS when the model adds one; only the second half of each window is scored (the logits at
 * window positions {@code n/2 .. n-2} predicting the next token), so every scored token has at
 * least {@code n/2} tokens of context.
 *
 * <p>Reported as {@code PPL = exp(mean NLL)} with the standard error {@code PPL * sqrt(var(NLL) / (N-1))},
 * exactly as llama.cpp prints "Final estimate: PPL = x +/- y".
 */
public final class Perplexity {

    /**
     * @param ppl perplexity over all scored tokens
     * @param standardError llama.cpp's "+/-" figure
     * @param scoredTokens tokens whose probability was scored
     * @param windowPpl running perplexity after each window, as llama.cpp prints "[1]x,[2]y"
     */
    public record Result(double ppl, double standardError, int scoredTokens, List<Double> windowPpl) {
        @Override
        public String toString() {
            return String.format("PPL = %.4f +/- %.5f over %d tokens (%d windows)", ppl, standardError,
                    scoredTokens, windowPpl.size());
        }
    }

    /** Receives progress after each window (window index, running PPL). */
    @FunctionalInterface
    public interface Progress {
        void windowDone(int window, int windows, double runningPpl);
    }

    private Perplexity() {}

    /**
     * @param state a state whose context holds at least {@code windowLength} tokens (it is cleared)
     * @param tokens the tokenized text, with BOS in front already when the model adds one (as llama.cpp tokenizes)
     * @param windowLength llama.cpp's {@code -c}
     * @param bosId the id written over each window's first token, or -1 when the model adds no BOS
     * @param maxWindows stop after this many windows (llama.cpp's {@code --chunks}); <= 0 for all
     */
    public static Result compute(InferenceState state, int[] tokens, int windowLength, int bosId, int maxWindows,
                                 Progress progress) {
        if (windowLength < 4) throw new PanllamaException("perplexity window must be >= 4 tokens, got " + windowLength);
        if (windowLength > state.contextLength())
            throw new PanllamaException("perplexity window " + windowLength + " exceeds the context length "
                    + state.contextLength());
        // llama.cpp refuses texts shorter than two windows; so do we, to stay comparable
        if (tokens.length < 2 * windowLength)
            throw new PanllamaException("perplexity with a window of " + windowLength + " needs at least "
                    + 2 * windowLength + " tokens, the text has " + tokens.length);
        int windows = tokens.length / windowLength;
        if (maxWindows > 0) windows = Math.min(windows, maxWindows);

        int first = windowLength / 2;
        int vocab = state.vocabSize();
        double[] acc = new double[2]; // sum NLL, sum NLL^2
        int[] window = new int[windowLength];
        Double[] running = new Double[windows];
        int count = 0;
        for (int w = 0; w < windows; w++) {
            int start = w * windowLength;
            System.arraycopy(tokens, start, window, 0, windowLength);
            if (bosId >= 0) window[0] = bosId;
            state.truncate(0);
            final int windowStart = start;
            state.evalAll(window, 0, windowLength, (i, logits) -> {
                // logits at i predict token i+1; llama.cpp scores i in [first, n-2]
                if (i < first || i > windowLength - 2) return;
                double nll = -logSoftmax(logits, vocab, tokens[windowStart + i + 1]);
                acc[0] += nll;
                acc[1] += nll * nll;
            });
            count += windowLength - first - 1;
            running[w] = Math.exp(acc[0] / count);
            if (progress != null) progress.windowDone(w, windows, running[w]);
        }
        double mean = acc[0] / count;
        double ppl = Math.exp(mean);
        double var = acc[1] / count - mean * mean;
        double err = var > 0 && count > 1 ? Math.sqrt(var / (count - 1)) * ppl : 0;
        return new Result(ppl, err, count, List.copyOf(Arrays.asList(running)));
    }

    /** log p(token) with llama.cpp's arithmetic: float max and exp, double sum. */
    static double logSoftmax(float[] logits, int n, int token) {
        float max = logits[0];
        for (int i = 1; i < n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (float) Math.exp(logits[i] - max);
        return logits[token] - max - Math.log(sum);
    }
}
