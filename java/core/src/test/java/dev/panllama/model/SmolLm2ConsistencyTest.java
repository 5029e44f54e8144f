package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SmolLM2-135M-Instruct Q4_1 (GQA 9/3, Q8_0 tied embedding) against the plain-Java reference, and
 * prefill against decode. The reference multiplies dequantized weights by F32 activations while the
 * engine, like ggml, quantizes activations to Q8_1 (Q8_0 for the head) first: that is the tolerance.
 */
class SmolLm2ConsistencyTest {
    // "<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n" in SmolLM2's vocabulary, then some text
    static final int[] PROMPT = {1, 4093, 198, 22557, 17, 2, 198, 1, 520, 9531, 198, 19556, 28, 940, 359, 346, 47};

    @Test
    void decodePrefillAndReferenceAgree() {
        try (GgufFile file = GgufFile.open(TestModels.smolLM2()); LlamaModel m = LlamaModel.load(file)) {
            LlamaConfig c = m.config();
            assertEquals(30, c.blockCount());
            assertEquals(9, c.headCount());
            assertEquals(3, c.headCountKv());
            assertTrue(c.tiedEmbeddings());
            assertTrue(m.weights().output() == m.weights().tokenEmbedding(), "tied output head");

            ReferenceLlama ref = new ReferenceLlama(c, m.weights(), true);
            List<float[]> decoded = new ArrayList<>(), prefilled = new ArrayList<>();
            try (InferenceState one = m.newState(new StateOptions(64, StateOptions.KV_F16, 2, 1));
                 InferenceState all = m.newState(new StateOptions(64, StateOptions.KV_F16, 2, 64))) {
                for (int i = 0; i < PROMPT.length; i++) {
                    one.eval(PROMPT, i, 1);
                    decoded.add(one.logits().clone());
                }
                all.evalAll(PROMPT, 0, PROMPT.length, (i, logits) -> prefilled.add(logits.clone()));
            }
            float vsRef = 0, vsPrefill = 0;
            int sameArgmax = 0;
            for (int i = 0; i < PROMPT.length; i++) {
                float[] r = ref.forward(PROMPT[i]);
                vsRef = Math.max(vsRef, LlamaModelConsistencyTest.maxAbsDiff(r, decoded.get(i)));
                vsPrefill = Math.max(vsPrefill, LlamaModelConsistencyTest.maxAbsDiff(prefilled.get(i), decoded.get(i)));
                if (LlamaCppParityTest.argmax(r) == LlamaCppParityTest.argmax(decoded.get(i))) sameArgmax++;
            }
            System.out.printf("SmolLM2: max |decode - reference| = %.3g, max |prefill - decode| = %.3g, argmax agrees %d/%d%n",
                    vsRef, vsPrefill, sameArgmax, PROMPT.length);
            // the GEMM and the matrix-vector kernels sum in different orders; a last-bit difference flips an
            // activation quant somewhere and this model amplifies it (llama.cpp with and without flash
            // attention differ by up to 1.18 on the same prompt)
            assertTrue(vsPrefill < 2.5f, "prefill vs decode: " + vsPrefill);
            // Q8 activation quants flip on ulp-level differences and the attention sinks amplify them: the
            // plain F32 reference is itself 0.6-1.0 away from llama.cpp (see LlamaCppParityTest)
            assertTrue(vsRef < 2.5f, "decode vs F32 reference: " + vsRef);
            assertTrue(sameArgmax >= PROMPT.length - 3, "argmax agrees at " + sameArgmax + " of " + PROMPT.length);
        }
    }
}
