package dev.panllama.model;

import dev.panllama.gguf.GgufFile;
import dev.panllama.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Prints prompt-processing and generation speed the way llama-bench reports them (pp N: N prompt
 * tokens in one batched eval from an empty cache; tg N: N single-token decodes), plus peak RSS.
 * Not a test: run it by hand (see the model package's README).
 *
 * <pre>java ... dev.panllama.model.EngineBench MODEL.gguf [threads...] [--pp 128] [--tg 64] [--reps 3]</pre>
 */
public final class EngineBench {
    private static long allocPerToken;

    public static void main(String[] args) throws Exception {
        Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        Path path = Path.of(args[0]);
        int pp = 128, tg = 64, reps = 3, ctx = 512;
        java.util.List<Integer> threads = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--pp" -> pp = Integer.parseInt(args[++i]);
                case "--tg" -> tg = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--ctx" -> ctx = Integer.parseInt(args[++i]);
                case "--first-token" -> { firstToken(path, start); return; }
                default -> threads.add(Integer.parseInt(args[i]));
            }
        }
        if (threads.isEmpty()) threads.add(1);
        try (GgufFile file = GgufFile.open(path); LlamaModel model = LlamaModel.load(file)) {
            LlamaConfig c = model.config();
            System.out.printf("model %s: %s, isa %s, file %.1f MiB%n", path.getFileName(), c.architecture(),
                    Kernels.isaName(Kernels.isaActive()), Files.size(path) / 1048576.0);
            int[] prompt = new int[Math.max(pp, 1)];
            for (int i = 0; i < prompt.length; i++) prompt[i] = 1 + (i * 7919) % (c.vocabSize() - 1);
            System.out.println("| threads | test | tok/s | ms/tok |");
            System.out.println("|---|---|---|---|");
            for (int t : threads) {
                try (InferenceState s = model.newState(new StateOptions(ctx, StateOptions.KV_F16, t, 512))) {
                    // warm-up: page in the weights, spin up the pool
                    s.eval(prompt, 0, Math.min(16, prompt.length));
                    double bestPp = Double.MAX_VALUE, bestTg = Double.MAX_VALUE;
                    int[] one = new int[1];
                    for (int r = 0; r < reps; r++) {
                        s.truncate(0);
                        long t0 = System.nanoTime();
                        s.eval(prompt, 0, pp);
                        bestPp = Math.min(bestPp, (System.nanoTime() - t0) / 1e9);
                        s.truncate(0);
                        one[0] = 1;
                        s.eval(one, 0, 1);
                        long t1 = System.nanoTime();
                        for (int i = 0; i < tg; i++) {
                            one[0] = argmax(s.logits());
                            s.eval(one, 0, 1);
                        }
                        bestTg = Math.min(bestTg, (System.nanoTime() - t1) / 1e9);
                    }
                    // heap bytes the decode loop allocates per token (the contract: only the logits copy, which is reused)
                    var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 16; i++) {
                        one[0] = argmax(s.logits());
                        s.eval(one, 0, 1);
                    }
                    allocPerToken = (mx.getCurrentThreadAllocatedBytes() - a0) / 16;
                    System.out.printf("| %d | pp%d | %.1f | %.2f |%n", t, pp, pp / bestPp, bestPp * 1000 / pp);
                    System.out.printf("| %d | tg%d | %.1f | %.2f |%n", t, tg, tg / bestTg, bestTg * 1000 / tg);
                }
            }
        }
        System.out.println("peak RSS: " + peakRss() + "; Java heap allocated per decoded token: " + allocPerToken + " bytes");
    }

    /** Process start to the first generated token (greedy) on a small model: startup cost as a user sees it. */
    private static void firstToken(Path path, Instant start) {
        long mainAt = Duration.between(start, Instant.now()).toMillis();
        try (GgufFile file = GgufFile.open(path); LlamaModel model = LlamaModel.load(file);
             InferenceState s = model.newState(new StateOptions(256, StateOptions.KV_F16, 1, 256))) {
            int[] prompt = {1, 403, 407, 261, 378};
            s.eval(prompt, 0, prompt.length);
            int tok = argmax(s.logits());
            System.out.printf("first token %d after %d ms from process start (main() entered at %d ms)%n", tok,
                    Duration.between(start, Instant.now()).toMillis(), mainAt);
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    static String peakRss() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmHWM")) return line.substring(6).trim();
        return "n/a";
    }
}
