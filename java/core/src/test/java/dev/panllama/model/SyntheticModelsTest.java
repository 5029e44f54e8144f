package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgmlType;
import dev.panllama.gguf.GgufFile;
import dev.panllama.synthetic.SyntheticLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention layouts and weight formats the real test models do not cover: random-weight models
 * (SyntheticLlama) with MHA, GQA and MQA, qwen2 biases and NEOX RoPE, in F16, Q8_0, Q4_0, Q5_0, Q5_1,
 * Q4_K, Q5_K, Q6_K and llama.cpp's Q4_K_M / Q5_K_M mixes (4 layers: Q6_K attn_v / ffn_down in layers 2
 * and 3, Q6_K output; at dim 192 the Q5_0 / Q5_1 / Q8_0 fallbacks of rows not whole super-blocks), each
 * against the plain-Java reference (rounding activations as ggml does) and prefill against decode.
 * Random weights give near-ties, so logits are compared, not tokens.
 */
class SyntheticModelsTest {
    @TempDir
    Path dir;

    static final int[] TOKENS = {1, 40, 77, 260, 5, 299, 123, 64, 88, 17, 250, 3};

    @ParameterizedTest(name = "{0} heads {1}/{2} {3} kv {4}")
    @CsvSource({
        "llama, 4, 4, F16, 1", "llama, 4, 2, F16, 1", "llama, 4, 1, F16, 1",
        "llama, 4, 4, Q8_0, 1", "llama, 4, 2, Q8_0, 8", "llama, 4, 1, Q8_0, 0",
        "llama, 4, 4, Q4_0, 1", "llama, 4, 2, Q4_0, 1", "llama, 4, 1, Q4_0, 8",
        "qwen2, 4, 2, Q8_0, 1", "qwen2, 4, 1, F16, 0",
        "llama, 4, 2, Q4_K_M, 1", "llama, 4, 1, Q4_K_M, 8", "llama, 4, 2, Q6_K, 1", "qwen2, 4, 2, Q4_K, 1",
        "llama, 4, 2, Q5_0, 1", "llama, 4, 1, Q5_1, 8", "qwen2, 4, 2, Q5_0, 0", "llama, 4, 2, Q5_K, 1",
        "llama, 4, 2, Q5_K_M, 1", "llama, 4, 2, Q4_K_M/192, 1", "llama, 3, 1, Q5_K_M/192, 8",
    })
    void engineMatchesTheReference(String arch, int heads, int kvHeads, String typeAndDim, int kvType) {
        // K-quants need rows of whole 256-element super-blocks: dim 256, FFN 512; "MIX/192": a dim that is
        // not (llama.cpp's mixes fall back to Q5_0 / Q5_1 / Q8_0 there, as in SmolLM2 or Qwen2.5-0.5B files)
        String type = typeAndDim.split("/")[0];
        boolean k = type.contains("_K");
        int dim = typeAndDim.contains("/") ? Integer.parseInt(typeAndDim.split("/")[1]) : k ? 256 : 128, hd = dim / heads;
        LlamaConfig c = new LlamaConfig(arch, dim, k ? 4 : 2, heads, kvHeads, hd, k ? 512 : 2 * dim, 256, 10000f, hd,
                LlamaConfig.RopeScaling.NONE, 1e-5f, 300, false, arch.equals("qwen2"));
        Path file = dir.resolve("m.gguf");
        SyntheticLlama.of(c, type, 7, null).write(file);
        try (GgufFile f = GgufFile.open(file); LlamaModel m = LlamaModel.load(f)) {
            if (typeAndDim.equals("Q4_K_M/192") || typeAndDim.equals("Q5_K_M/192")) { // llama.cpp's fallbacks
                String base = type.equals("Q4_K_M") ? "Q4_K" : "Q5_K", small = type.equals("Q4_K_M") ? "Q5_0" : "Q5_1";
                for (String[] t : new String[][] {{"output.weight", "Q8_0"}, {"token_embd.weight", small},
                        {"blk.0.attn_q.weight", small}, {"blk.2.attn_v.weight", "Q8_0"}, {"blk.0.ffn_down.weight", base},
                        {"blk.3.ffn_down.weight", "Q6_K"}, {"blk.3.ffn_up.weight", small}})
                    org.junit.jupiter.api.Assertions.assertEquals(t[1], f.tensor(t[0]).orElseThrow().type().name(), t[0]);
            }
            if (type.equals("Q5_K_M") && dim == 256) {
                for (String[] t : new String[][] {{"output.weight", "Q6_K"}, {"blk.0.attn_v.weight", "Q5_K"},
                        {"blk.2.attn_v.weight", "Q6_K"}, {"blk.3.ffn_down.weight", "Q6_K"}, {"blk.3.ffn_up.weight", "Q5_K"}})
                    org.junit.jupiter.api.Assertions.assertEquals(t[1], f.tensor(t[0]).orElseThrow().type().name(), t[0]);
            }
            if (typeAndDim.equals("Q4_K_M")) { // the mix really is mixed, and the engine runs both K types
                for (String[] t : new String[][] {{"output.weight", "Q6_K"}, {"blk.0.attn_v.weight", "Q4_K"},
                        {"blk.2.attn_v.weight", "Q6_K"}, {"blk.3.ffn_down.weight", "Q6_K"}, {"blk.3.ffn_up.weight", "Q4_K"}})
                    org.junit.jupiter.api.Assertions.assertEquals(t[1], f.tensor(t[0]).orElseThrow().type().name(), t[0]);
            }
            ReferenceLlama ref = new ReferenceLlama(m.config(), m.weights(), kvType == StateOptions.KV_F16, true);
            List<float[]> decoded = new ArrayList<>(), prefilled = new ArrayList<>();
            try (InferenceState one = m.newState(new StateOptions(32, kvType, 1, 4));
                 InferenceState all = m.newState(new StateOptions(32, kvType, 2, 5))) {
                for (int i = 0; i < TOKENS.length; i++) {
                    one.eval(TOKENS, i, 1);
                    decoded.add(one.logits().clone());
                }
                all.evalAll(TOKENS, 0, TOKENS.length, (i, l) -> prefilled.add(l.clone()));
            }
            float vsRef = 0, vsPrefill = 0, scale = 0;
            for (int i = 0; i < TOKENS.length; i++) {
                float[] r = ref.forward(TOKENS[i]);
                for (float v : r) scale = Math.max(scale, Math.abs(v));
                vsRef = Math.max(vsRef, LlamaModelConsistencyTest.maxAbsDiff(r, decoded.get(i)));
                vsPrefill = Math.max(vsPrefill, LlamaModelConsistencyTest.maxAbsDiff(prefilled.get(i), decoded.get(i)));
            }
            System.out.printf("synthetic %s %d/%d %s kv %d: max |logit| %.3g, |decode - reference| %.3g, |prefill - decode| %.3g%n",
                    arch, heads, kvHeads, type, kvType, scale, vsRef, vsPrefill);
            // F16 weights: only summation order differs. Quantized weights: activations are quantized to
            // Q8_0 blocks, and a last-bit difference upstream moves a value across a rounding boundary,
            // changing it by a whole quantum (~1% of its block's max); measured up to 3% of the logit range.
            float tol = (type.equals("F16") ? 0.01f : 0.05f) * Math.max(1, scale);
            assertTrue(vsRef < tol, "decode vs reference " + vsRef + " > " + tol);
            assertTrue(vsPrefill < tol, "prefill vs decode " + vsPrefill + " > " + tol);
        }
    }
}
