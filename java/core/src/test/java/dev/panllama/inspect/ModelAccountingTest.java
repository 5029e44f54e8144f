package dev.panllama.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Accounting against published parameter counts and hand-derived KV/FLOP figures. */
class ModelAccountingTest {
    // Published totals: Llama 2 7B (Meta's model card / HF safetensors index), TinyLlama 1.1B and
    // SmolLM2-135M (Hugging Face num_parameters); each re-derived by hand from the shapes as well.
    static final Hyperparameters LLAMA2_7B = Hyperparameters.of(4096, 32, 32, 32, 11008, 32000, false);
    static final Hyperparameters TINYLLAMA = Hyperparameters.of(2048, 22, 32, 4, 5632, 32000, false);
    static final Hyperparameters SMOLLM2_135M = Hyperparameters.of(576, 30, 9, 3, 1536, 49152, true);

    @Test
    void llama2_7bHasItsPublishedParameterCount() {
        ParameterCounts p = ParameterCounts.of(LLAMA2_7B);
        assertEquals(6_738_415_616L, p.total());
        assertEquals(131_072_000L, p.embedding());
        assertEquals(131_072_000L, p.output());
        assertEquals(536_870_912L, p.attnQ());
        assertEquals(536_870_912L, p.attnK());
        assertEquals(2_147_483_648L, p.attnTotal());
        assertEquals(3 * 1_442_840_576L, p.ffnTotal());
        assertEquals(266_240L, p.norm());
        assertEquals(202_383_360L, p.perLayer());
    }

    @Test
    void tinyLlamaHasItsPublishedParameterCount() {
        ParameterCounts p = ParameterCounts.of(TINYLLAMA);
        assertEquals(1_100_048_384L, p.total());
        assertEquals(11_534_336L, p.attnK()); // 4 KV heads of 64: 22 · 2048 · 256
        assertEquals(p.attnK(), p.attnV());
        assertEquals(44_044_288L, p.perLayer());
    }

    @Test
    void smolLm2TiedOutputCountsNothing() {
        ParameterCounts p = ParameterCounts.of(SMOLLM2_135M);
        assertEquals(134_515_008L, p.total());
        assertEquals(0L, p.output());
        assertEquals(28_311_552L, p.embedding());
        assertEquals(3_540_096L, p.perLayer());
        assertEquals(p.total(), p.embedding() + 30 * p.perLayer() + 576); // + the final norm
    }

    @Test
    void qkvBiasesAddTheirWidths() {
        Hyperparameters h = new Hyperparameters(64, 2, 4, 2, 16, 128, 100, true, true);
        Hyperparameters noBias = new Hyperparameters(64, 2, 4, 2, 16, 128, 100, true, false);
        assertEquals(2 * (64 + 32 + 32), ParameterCounts.of(h).total() - ParameterCounts.of(noBias).total());
    }

    @Test
    void kvCacheBytes() {
        // Llama 2 7B: 2 (K,V) · 32 layers · 4096 · 2 bytes = 0.5 MiB per token.
        KvCacheCosts kv = KvCacheCosts.of(LLAMA2_7B, KvType.F16, 4096);
        assertEquals(524_288L, kv.bytesPerToken());
        assertEquals(2_147_483_648L, kv.bytesAtCtx());
        assertEquals(kv.bytesPerToken(), kv.mhaBytesPerToken());
        assertEquals(2L * 32 * 128 * 2, kv.mqaBytesPerToken());

        KvCacheCosts smol = KvCacheCosts.of(SMOLLM2_135M, KvType.F16, 8192);
        assertEquals(23_040L, smol.bytesPerToken()); // 2 · 30 · 192 · 2
        assertEquals(69_120L, smol.mhaBytesPerToken()); // 9 heads instead of 3
        assertEquals(7_680L, smol.mqaBytesPerToken());
        // q8_0: 192 values are 6 blocks of 34 bytes
        assertEquals(2L * 30 * 6 * 34, KvCacheCosts.of(SMOLLM2_135M, KvType.Q8_0, 1).bytesPerToken());
        assertEquals(2L * 30 * 192 * 4, KvCacheCosts.of(SMOLLM2_135M, KvType.F32, 1).bytesPerToken());
    }

    @Test
    void ffnForEqualParamsKeepsTheTotal() {
        // MQA frees 2 · 4096 · 31 · 128 parameters per layer for the FFN: 11008 + 2645.33
        FfnForEqualParams f = FfnForEqualParams.of(LLAMA2_7B);
        assertEquals(11008, f.mha());
        assertEquals(8, f.gqaKvHeads());
        assertEquals(13653, f.mqa());
        assertEquals(11008 + Math.round(2 * 128 * 24 / 3.0), f.gqa());

        FfnForEqualParams s = FfnForEqualParams.of(SMOLLM2_135M);
        assertEquals(1536, s.gqa()); // the model is GQA already
        assertEquals(3, s.gqaKvHeads());
        assertEquals(1280, s.mha()); // 1536 - 2·64·6/3
        assertEquals(1621, s.mqa()); // 1536 + 2·64·2/3 = 1621.33

        // The rounded FFN changes the total by less than one FFN column's worth per layer.
        for (Hyperparameters h : new Hyperparameters[] {LLAMA2_7B, TINYLLAMA, SMOLLM2_135M}) {
            long total = ParameterCounts.of(h).total();
            for (int kv : new int[] {h.heads(), 1}) {
                long ffn = FfnForEqualParams.ffnFor(h, kv);
                long other = ParameterCounts.of(h.withKvHeads(kv).withFfn((int) ffn)).total();
                long column = 3L * h.dim() * h.layers();
                assertEquals(true, Math.abs(other - total) * 2 <= column, h + " kv=" + kv);
            }
        }
    }

    @Test
    void flops() {
        FlopCounts f = FlopCounts.of(LLAMA2_7B);
        // 2 · (all matrices + output head): the non-embedding parameters less the norms
        assertEquals(2 * (6_738_415_616L - 131_072_000L - 266_240L), f.weightsPerToken());
        assertEquals(4L * 32 * 32 * 128, f.attentionPerCachedToken());
        assertEquals(25_204L, f.ctxAttentionHalf()); // exactly 13214154752 / 524288

        FlopCounts s = FlopCounts.of(SMOLLM2_135M); // tied: the head still runs
        assertEquals(2 * (134_515_008L - 35_136L), s.weightsPerToken());
        assertEquals(3_891L, s.ctxAttentionHalf()); // 268959744 / 69120 = 3891.2
    }

    @Test
    void estimateAndRunBytes() {
        ModelAccounting a = ModelAccounting.estimate(SMOLLM2_135M, KvType.F16, 2048);
        assertEquals(Map.of("f16", (134_515_008L - 35_136L) * 2, "f32", 35_136L * 4), a.weightBytesByType());
        assertEquals(a.weightBytes() + 23_040L * 2048, a.runBytesAtCtx());
        ModelAccounting m = ModelAccounting.of(SMOLLM2_135M, KvType.Q8_0, 10, Map.of("f32", 4L, "q4_1", 100L));
        assertEquals("q4_1", m.weightBytesByType().keySet().iterator().next());
        assertEquals(104L + 12_240L * 10, m.runBytesAtCtx());
    }

    @Test
    void rejectsImpossibleShapes() {
        assertThrows(IllegalArgumentException.class, () -> Hyperparameters.of(100, 2, 3, 1, 10, 10, false));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameters.of(96, 2, 6, 4, 10, 10, false));
        assertThrows(IllegalArgumentException.class, () -> Hyperparameters.of(96, 0, 6, 6, 10, 10, false));
        assertThrows(IllegalArgumentException.class, () -> KvType.parse("q4"));
        assertEquals(KvType.Q8_0, KvType.parse("Q8_0"));
    }
}
