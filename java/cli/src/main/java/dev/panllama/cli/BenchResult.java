package dev.panllama.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One llama-bench style measurement: a test (pp: prompt processing, tg: generation, optionally
 * after {@code depth} tokens already cached) run {@code repetitions} times.
 *
 * @param model the model's name (its file name without .gguf)
 * @param sizeBytes bytes of the model's weights
 * @param params parameters of the model
 * @param threads compute threads
 * @param nPrompt prompt tokens evaluated in one batch (pp), else 0
 * @param nGen tokens generated one at a time (tg), else 0
 * @param depth tokens in the cache before the timed part
 * @param tokensPerSecond one throughput per repetition
 * @param kvCacheBytes bytes of the KV cache the test used (depth + its tokens)
 */
record BenchResult(String model, long sizeBytes, long params, int threads, int nPrompt, int nGen, int depth,
        List<Double> tokensPerSecond, long kvCacheBytes) {

    /** "pp128", "tg64", "tg64@d1024". */
    String test() {
        String base = nPrompt > 0 ? "pp" + nPrompt : "tg" + nGen;
        return depth > 0 ? base + "@d" + depth : base;
    }

    double mean() {
        double s = 0;
        for (double v : tokensPerSecond) s += v;
        return tokensPerSecond.isEmpty() ? 0 : s / tokensPerSecond.size();
    }

    /** Sample standard deviation (n - 1), as llama-bench; 0 for a single run. */
    double stddev() {
        int n = tokensPerSecond.size();
        if (n < 2) return 0;
        double m = mean();
        double s = 0;
        for (double v : tokensPerSecond) s += (v - m) * (v - m);
        return Math.sqrt(s / (n - 1));
    }

    /** The JSON object of the contract. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("test", test());
        m.put("threads", threads);
        m.put("n_prompt", nPrompt);
        m.put("n_gen", nGen);
        m.put("depth", depth);
        m.put("repetitions", tokensPerSecond.size());
        m.put("tokens_per_second", round(mean()));
        m.put("stddev", round(stddev()));
        m.put("kv_cache_bytes", kvCacheBytes);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
