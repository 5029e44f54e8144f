package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panllama.gguf.GgufFile;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The correctness bar: the engine against llama.cpp's own outputs (test resources llamacpp/, made by
 * node-llama-cpp; see that README). Same settings as the goldens: F16 KV cache, the prompt in one batch,
 * then one token per decode, greedy picks keeping the lowest id on a tie.
 */
class LlamaCppParityTest {
    static final String STORIES = "stories260K";
    static final String SMOL = "smollm2-135m-instruct-q4_1";

    /**
     * Max |ours - llama.cpp| over all logits (both shifted so the max is 0). stories260K is F32 end to
     * end; measured 0.0049 (0.013 before attention rounded the softmax weights to F16 as llama.cpp does
     * with an F16 cache; the rest is summation order and exp). SmolLM2 multiplies Q4_1 weights with Q8_1-quantized activations as ggml does, but a
     * one-ulp difference anywhere flips some activation quants and its attention sinks amplify it: the
     * engine is within 0.94 of llama.cpp, and llama.cpp with flash attention differs from llama.cpp
     * without it by up to 1.18 at the same positions (measured with node-llama-cpp 3.21.1).
     */
    static float logitTolerance(String model) {
        return model.equals(STORIES) ? 0.008f : 1.25f;
    }

    /**
     * A step whose golden top-1/top-2 margin is below this may legitimately flip. For SmolLM2 the yardstick
     * is llama.cpp against itself: with flash attention on instead of off (same file, same prompts) its
     * greedy output leaves the golden at steps with margins up to 0.36 (chat-system step 0), because the
     * model's attention sinks amplify F16 rounding differences.
     */
    static float tieMargin(String model) {
        return model.equals(STORIES) ? 0.04f : 0.4f;
    }

    static Path modelPath(String model) {
        return model.equals(STORIES) ? TestModels.stories260K() : TestModels.smolLM2();
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i; // first maximum, as llama.cpp's greedy
        return best;
    }

    /**
     * Every one of the 64 steps of every golden case is checked: our greedy pick must be llama.cpp's,
     * except at a near-tie (golden top1-top2 margin below {@link #tieMargin}), which is reported. After
     * each step llama.cpp's token is fed (teacher forcing), so one near-tie does not end the comparison.
     */
    @ParameterizedTest
    @ValueSource(strings = {STORIES, SMOL})
    void greedyGenerationIsTokenForTokenIdentical(String model) {
        JsonNode golden = LlamaCppGoldens.load(model, "generation");
        Path path = modelPath(model);
        LlamaCppGoldens.checkModel(golden, path);
        int identical = 0, nearTies = 0;
        StringBuilder report = new StringBuilder();
        try (GgufFile file = GgufFile.open(path); LlamaModel m = LlamaModel.load(file)) {
            for (JsonNode c : golden.path("cases")) {
                String name = c.path("name").asText();
                int[] prompt = LlamaCppGoldens.ints(c.path("prompt_ids"));
                int[] expected = LlamaCppGoldens.ints(c.path("generated_ids"));
                int firstFlip = -1;
                try (InferenceState s = m.newState(new StateOptions(512, StateOptions.KV_F16, 2, 512))) {
                    s.eval(prompt, 0, prompt.length);
                    for (int step = 0; step < expected.length; step++) {
                        int ours = argmax(s.logits());
                        double margin = c.path("steps").get(step).path("margin").asDouble();
                        if (ours == expected[step]) {
                            identical++;
                        } else {
                            String where = model + "/" + name + " step " + step + ": ours " + ours + ", llama.cpp "
                                    + expected[step] + " (golden top1-top2 margin " + margin + ")";
                            if (margin >= tieMargin(model))
                                fail("greedy token differs at " + where + "; the margin is not a near-tie (< "
                                        + tieMargin(model) + ")");
                            nearTies++;
                            if (firstFlip < 0) firstFlip = step;
                            report.append("  near-tie flip at ").append(where).append('\n');
                        }
                        if (step + 1 < expected.length) s.eval(expected, step, 1); // llama.cpp's token, always
                    }
                }
                System.out.printf("%s/%s: %s%n", model, name, firstFlip < 0 ? "64/64 greedy tokens identical"
                        : "identical up to step " + firstFlip + " (then a near-tie)");
            }
        }
        System.out.printf("%s: %d greedy steps identical to llama.cpp, %d near-tie flips%n%s", model, identical, nearTies, report);
        assertTrue(identical >= 64, "fewer than 64 identical steps: " + identical);
    }

    @ParameterizedTest
    @ValueSource(strings = {STORIES, SMOL})
    void logitsMatchLlamaCppAtSeveralPositions(String model) {
        JsonNode golden = LlamaCppGoldens.load(model, "logits");
        Path path = modelPath(model);
        LlamaCppGoldens.checkModel(golden, path);
        float worst = 0;
        int positions = 0;
        try (GgufFile file = GgufFile.open(path); LlamaModel m = LlamaModel.load(file)) {
            for (JsonNode c : golden.path("cases")) {
                int[] prompt = LlamaCppGoldens.ints(c.path("prompt_ids"));
                int[] generated = LlamaCppGoldens.ints(c.path("generated_ids"));
                try (InferenceState s = m.newState(new StateOptions(512, StateOptions.KV_F16, 2, 512))) {
                    s.eval(prompt, 0, prompt.length);
                    int step = 0;
                    for (JsonNode p : c.path("positions")) {
                        int target = p.path("step").asInt();
                        for (; step < target; step++) s.eval(generated, step, 1);
                        assertEquals(p.path("pos").asInt() + 1, s.position());
                        float[] ref = LlamaCppGoldens.logitsMinusMax(p);
                        float[] ours = s.logits();
                        float max = Float.NEGATIVE_INFINITY;
                        for (float v : ours) max = Math.max(max, v);
                        float diff = 0;
                        for (int i = 0; i < ref.length; i++)
                            if (!Float.isNaN(ref[i])) diff = Math.max(diff, Math.abs(ours[i] - max - ref[i]));
                        System.out.printf("%s/%s step %d (pos %d): max |logit diff| = %.3g%n", model,
                                c.path("name").asText(), target, p.path("pos").asInt(), diff);
                        worst = Math.max(worst, diff);
                        positions++;
                    }
                }
            }
        }
        assertTrue(positions >= 4, "positions compared: " + positions);
        assertTrue(worst <= logitTolerance(model), model + ": max |logit diff| " + worst + " > " + logitTolerance(model));
    }

    @ParameterizedTest
    @ValueSource(strings = {STORIES, SMOL})
    void perplexityIsWithinOnePercentOfLlamaCpp(String model) {
        JsonNode golden = LlamaCppGoldens.load(model, "perplexity");
        JsonNode tokens = LlamaCppGoldens.load(model, "tokens");
        Path path = modelPath(model);
        LlamaCppGoldens.checkModel(golden, path);
        int[] ids = LlamaCppGoldens.ints(tokens.path("ppl_text").path("ids"));
        boolean addBos = golden.path("model").path("add_bos").asBoolean();
        int bos = golden.path("model").path("bos").asInt();
        int compared = 0;
        try (GgufFile file = GgufFile.open(path); LlamaModel m = LlamaModel.load(file)) {
            // node-llama-cpp runs ("runs") and llama.cpp's own llama-perplexity ("llama_perplexity_runs")
            for (String kind : new String[] {"runs", "llama_perplexity_runs"}) {
                for (JsonNode run : golden.path(kind)) {
                    if (run.path("flash_attn").asBoolean()) continue; // the non-flash run is the closer reference
                    int nCtx = run.path("n_ctx").asInt();
                    try (InferenceState s = m.newState(new StateOptions(nCtx, StateOptions.KV_F16, 2, nCtx))) {
                        Perplexity.Result r = Perplexity.compute(s, ids, nCtx, addBos ? bos : -1, 0, null);
                        double expected = run.path("ppl").asDouble(), err = run.path("ppl_stderr").asDouble();
                        System.out.printf("%s c=%d: ours %s; llama.cpp (%s) PPL = %.4f +/- %.5f (%d tokens)%n", model,
                                nCtx, r, kind, expected, err, run.path("scored_tokens").asInt());
                        assertEquals(run.path("scored_tokens").asInt(), r.scoredTokens());
                        assertEquals(expected, r.ppl(), expected * 0.01, "PPL within 1% of llama.cpp");
                        assertEquals(err, r.standardError(), err * 0.02);
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 0, "the golden holds no perplexity run to compare with");
    }

    /**
     * The plain-Java reference, told to round where ggml does (F16 Q and softmax weights in attention),
     * reproduces llama.cpp's stories260K logits to ~3e-4: the goldens and our reading of ggml agree, and
     * the engine, which now rounds the same way, is within 0.005.
     */
    @org.junit.jupiter.api.Test
    void referenceWithGgmlRoundingReproducesLlamaCppOnStories() {
        JsonNode golden = LlamaCppGoldens.load(STORIES, "logits");
        Path path = modelPath(STORIES);
        LlamaCppGoldens.checkModel(golden, path);
        try (GgufFile file = GgufFile.open(path); LlamaModel m = LlamaModel.load(file)) {
            for (JsonNode c : golden.path("cases")) {
                int[] prompt = LlamaCppGoldens.ints(c.path("prompt_ids"));
                int[] generated = LlamaCppGoldens.ints(c.path("generated_ids"));
                ReferenceLlama ref = new ReferenceLlama(m.config(), m.weights(), true, true);
                float[] logits = null;
                for (int t : prompt) logits = ref.forward(t);
                int step = 0;
                for (JsonNode p : c.path("positions")) {
                    for (; step < p.path("step").asInt(); step++) logits = ref.forward(generated[step]);
                    float[] g = LlamaCppGoldens.logitsMinusMax(p);
                    float max = Float.NEGATIVE_INFINITY, diff = 0;
                    for (float v : logits) max = Math.max(max, v);
                    for (int i = 0; i < g.length; i++) if (!Float.isNaN(g[i])) diff = Math.max(diff, Math.abs(logits[i] - max - g[i]));
                    assertTrue(diff < 2e-3f, c.path("name").asText() + " step " + step + ": " + diff);
                }
            }
        }
    }
}
