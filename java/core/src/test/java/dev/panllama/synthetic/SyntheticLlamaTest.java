package dev.panllama.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgmlType;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.Quantizer;
import dev.panllama.gguf.TensorInfo;
import dev.panllama.gguf.TestData;
import dev.panllama.model.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticLlamaTest {
    @TempDir Path tmp;

    private static LlamaConfig shape(int heads, int kvHeads, int vocab, boolean tied, String arch) {
        return new LlamaConfig(arch, 64, 2, heads, kvHeads, 64 / heads, 96, 128, 10000f, 64 / heads,
                LlamaConfig.RopeScaling.NONE, 1e-5f, vocab, tied, arch.equals("qwen2"));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void writesAReadableModelOfEachType(GgmlType type) {
        LlamaConfig c = shape(4, 2, 300, false, "llama");
        Path out = tmp.resolve(type + ".gguf");
        SyntheticLlama.of(c, type, 7, null).write(out);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(c, LlamaConfig.from(f));
            assertEquals(3 + 2 * 9, f.tensors().size());
            TensorInfo q = f.requireTensor("blk.1.attn_q.weight");
            assertEquals(type, q.type());
            assertArrayEquals(new long[] {64, 64}, q.shape());
            assertArrayEquals(new long[] {64, 32}, f.requireTensor("blk.0.attn_k.weight").shape());
            assertArrayEquals(new long[] {96, 64}, f.requireTensor("blk.0.ffn_down.weight").shape());
            assertArrayEquals(new long[] {64, 300}, f.requireTensor("token_embd.weight").shape());
            assertEquals(GgmlType.F32, f.requireTensor("output_norm.weight").type());
            // weights are uniform with variance 1/cols: |w| <= sqrt(3/64), plus quantization error
            float[] w = Quantizer.dequantize(type, f.data(q), 0, 64 * 64);
            double sumSq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) < 0.23, "weight " + v);
                sumSq += v * v;
            }
            assertEquals(1.0 / 64, sumSq / w.length, 0.25 / 64);
            float[] norm = Quantizer.dequantize(GgmlType.F32, f.data("output_norm.weight"), 0, 64);
            for (float v : norm) assertTrue(v > 0.89 && v < 1.11, "norm " + v);
            assertEquals(300, f.metadata().getStringArray("tokenizer.ggml.tokens").size());
            assertEquals("<0x0A>", f.metadata().getStringArray("tokenizer.ggml.tokens").get(3 + 10));
        }
    }

    /**
     * llama.cpp's Q4_K_M picks Q6_K for attn_v and ffn_down in layers i of n with i < n/8, i >= 7n/8
     * or (i - n/8) % 3 == 2: for a 32-layer llama (7B/8B) that is layers 0-3, 6, 9, ..., 27 and 28-31
     * (the layer list llama-quantize prints for such models); and Q6_K for the output head.
     */
    @Test
    void q4KMixPicksLlamaCppsTensors() {
        LlamaConfig c32 = new LlamaConfig("llama", 256, 32, 4, 2, 64, 512, 128, 10000f, 64,
                LlamaConfig.RopeScaling.NONE, 1e-5f, 300, false, false);
        SyntheticLlama m = SyntheticLlama.q4KM(c32, 1, null);
        java.util.List<Integer> six = new java.util.ArrayList<>();
        for (int l = 0; l < 32; l++) {
            GgmlType v = m.typeOf("attn_v.weight", l);
            assertEquals(v, m.typeOf("ffn_down.weight", l), "layer " + l);
            if (v == GgmlType.Q6_K) six.add(l);
            for (String role : new String[] {"attn_q.weight", "attn_k.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight"})
                assertEquals(GgmlType.Q4_K, m.typeOf(role, l), role);
        }
        assertEquals(java.util.List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31), six);
        assertEquals(GgmlType.Q6_K, m.typeOf("output.weight", -1));
        assertEquals(GgmlType.Q4_K, m.typeOf("token_embd.weight", -1));
        // tied head: the embedding is the output, so it gets the output's Q6_K
        LlamaConfig tied = new LlamaConfig("llama", 256, 4, 4, 2, 64, 512, 128, 10000f, 64,
                LlamaConfig.RopeScaling.NONE, 1e-5f, 300, true, false);
        assertEquals(GgmlType.Q6_K, SyntheticLlama.q4KM(tied, 1, null).typeOf("token_embd.weight", -1));
        assertThrows(PanllamaException.class, () -> new SyntheticLlama(c32, GgmlType.Q4_0, GgmlType.Q4_0, 1, null,
                SyntheticLlama.Mix.Q4_K_M));
        // rows that are not whole 256-element super-blocks fall back as in llama.cpp (dim 64, FFN 96):
        // Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0
        SyntheticLlama small = SyntheticLlama.q4KM(shape(4, 2, 300, false, "llama"), 1, null);
        assertEquals(GgmlType.Q5_0, small.typeOf("attn_q.weight", 0));
        assertEquals(GgmlType.Q5_0, small.typeOf("ffn_down.weight", 0));
        assertEquals(GgmlType.Q8_0, small.typeOf("ffn_down.weight", 1)); // layer 1 of 2: more bits
        assertEquals(GgmlType.Q8_0, small.typeOf("output.weight", -1));
        SyntheticLlama small5 = SyntheticLlama.q5KM(shape(4, 2, 300, false, "llama"), 1, null);
        assertEquals(GgmlType.Q5_1, small5.typeOf("attn_q.weight", 0));
        assertEquals(GgmlType.Q5_K, SyntheticLlama.q5KM(c32, 1, null).typeOf("attn_q.weight", 0));
        assertEquals(GgmlType.Q6_K, SyntheticLlama.q5KM(c32, 1, null).typeOf("attn_v.weight", 0));
        // rows must still be whole 32-element blocks
        LlamaConfig d48 = new LlamaConfig("llama", 48, 2, 4, 2, 12, 96, 128, 10000f, 12,
                LlamaConfig.RopeScaling.NONE, 1e-5f, 300, false, false);
        assertThrows(PanllamaException.class, () -> SyntheticLlama.q4KM(d48, 1, null));
    }

    @Test
    void mqaTiedAndQwen2Shapes() {
        Path mqa = tmp.resolve("mqa.gguf");
        LlamaConfig c = shape(8, 1, 300, true, "llama");
        SyntheticLlama.of(c, GgmlType.Q8_0, 1, null).write(mqa);
        try (GgufFile f = GgufFile.open(mqa)) {
            assertEquals(c, LlamaConfig.from(f));
            assertTrue(f.tensor("output.weight").isEmpty());
            assertArrayEquals(new long[] {64, 8}, f.requireTensor("blk.0.attn_v.weight").shape());
        }
        Path qwen = tmp.resolve("qwen.gguf");
        LlamaConfig q = shape(4, 4, 300, false, "qwen2");
        SyntheticLlama.of(q, GgmlType.F16, 1, null).write(qwen);
        try (GgufFile f = GgufFile.open(qwen)) {
            assertEquals(q, LlamaConfig.from(f));
            assertArrayEquals(new long[] {64}, f.requireTensor("blk.1.attn_k.bias").shape());
        }
    }

    @Test
    void deterministicInTheSeed() throws IOException {
        LlamaConfig c = shape(4, 2, 300, false, "llama");
        Path a = tmp.resolve("a.gguf"), b = tmp.resolve("b.gguf"), d = tmp.resolve("d.gguf");
        SyntheticLlama.of(c, GgmlType.Q4_0, 5, null).write(a);
        SyntheticLlama.of(c, GgmlType.Q4_0, 5, null).write(b);
        SyntheticLlama.of(c, GgmlType.Q4_0, 6, null).write(d);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertTrue(!Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(d)));
    }

    @Test
    void copiesARealVocab() {
        Path vocab = TestData.vocab("llama-spm");
        Path out = tmp.resolve("spm.gguf");
        LlamaConfig c = shape(4, 2, 32000, false, "llama");
        SyntheticLlama.of(c, GgmlType.Q4_0, 1, vocab).write(out);
        try (GgufFile f = GgufFile.open(out); GgufFile v = GgufFile.open(vocab)) {
            for (String k : v.metadata().keys()) {
                if (k.startsWith("tokenizer.")) assertEquals(v.metadata().value(k), f.metadata().value(k), k);
            }
            assertEquals(c, LlamaConfig.from(f));
        }
        PanllamaException e = assertThrows(PanllamaException.class,
                () -> SyntheticLlama.of(shape(4, 2, 31999, false, "llama"), GgmlType.Q4_0, 1, vocab).write(out));
        assertTrue(e.getMessage().contains("32000") && e.getMessage().contains("31999"), e.getMessage());
    }

    @Test
    void tinyLlamaShapeIsValid() {
        LlamaConfig t = SyntheticLlama.tinyLlamaShape();
        assertEquals(8, t.groupSize());
        assertEquals(256, t.kvDim());
        // the whole writer is built lazily: planning the TinyLlama layout generates no weights
        var layout = SyntheticLlama.of(t, GgmlType.Q4_0, 1, null).writer().layout();
        assertEquals(3 + 22 * 9, layout.size());
        long bytes = layout.stream().mapToLong(TensorInfo::byteSize).sum();
        assertEquals(1_100_048_384L / 32 * 18 + 22 * 2 * 2048 * 14 + 2048 * 14, bytes, 2_000_000);
    }
}
