package dev.panllama.cli;

import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.StateOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times one test the way llama-bench does: random tokens (the model's speed does not depend on
 * which), the cache filled to {@code depth} first (untimed), one warm-up run, then the timed runs,
 * each starting again from {@code depth}.
 */
final class BenchRunner {
    private static final int BATCH = 512; // llama-bench's default micro-batch
    private final Random random = new Random(42);

    interface Progress {
        void run(int done, int total);
    }

    BenchResult run(LlamaModel model, String name, long sizeBytes, long params, int kvType, int threads, int nPrompt,
            int nGen, int depth, int repetitions, Progress progress) {
        int vocab = model.config().vocabSize();
        int ctx = depth + nPrompt + nGen;
        List<Double> rates = new ArrayList<>();
        try (InferenceState state = model.newState(new StateOptions(ctx, kvType, threads, BATCH))) {
            if (depth > 0) state.eval(randomTokens(depth, vocab), 0, depth);
            int[] prompt = randomTokens(Math.max(nPrompt, 1), vocab);
            int[] gen = randomTokens(Math.max(nGen, 1), vocab);
            for (int rep = -1; rep < repetitions; rep++) { // rep -1 is the warm-up
                state.truncate(depth);
                long t0 = System.nanoTime();
                if (nPrompt > 0) {
                    state.eval(prompt, 0, nPrompt);
                } else {
                    for (int i = 0; i < nGen; i++) state.eval(gen, i, 1);
                }
                long t1 = System.nanoTime();
                if (rep >= 0) {
                    rates.add((nPrompt > 0 ? nPrompt : nGen) / ((t1 - t0) / 1e9));
                    progress.run(rep + 1, repetitions);
                }
            }
            return new BenchResult(name, sizeBytes, params, threads, nPrompt, nGen, depth, rates, state.kvCacheBytes());
        }
    }

    private int[] randomTokens(int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = random.nextInt(vocab);
        return t;
    }
}
