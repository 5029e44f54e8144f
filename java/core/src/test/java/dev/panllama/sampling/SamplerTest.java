package dev.panllama.sampling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    /** Everything off but what a test turns on: temperature 1, no truncation, no penalties. */
    private static SamplingOptions.Builder plain() {
        return SamplingOptions.builder().temperature(1).topK(0).topP(1).minP(0).seed(1);
    }

    private static float ln(double p) {
        return (float) Math.log(p);
    }

    /** The sampled distribution after the chain, as (id -> probability), via topAlternatives. */
    private static double[] sampledDistribution(Sampler s, int vocab) {
        int[] ids = new int[vocab];
        float[] lp = new float[vocab];
        int n = s.topAlternatives(ProbabilitySource.SAMPLED, vocab, ids, lp);
        double[] p = new double[vocab];
        for (int i = 0; i < n; i++) p[ids[i]] = Math.exp(lp[i]);
        return p;
    }

    @Test
    void greedyTakesTheArgmaxAndTheLowestIdOnTies() {
        Sampler s = new Sampler(SamplingOptions.greedy(), 5);
        assertEquals(3, s.sample(new float[] {0.1f, -2f, 1f, 4f, 3.9f}));
        assertEquals(1, s.sample(new float[] {0f, 7f, 7f, 7f, -1f}));
        assertEquals(0f, s.lastLogprob(ProbabilitySource.SAMPLED), 0f);
    }

    @Test
    void greedyRespectsPenaltiesOnlyWhenTheyComeBeforeTemperature() {
        SamplingOptions o = SamplingOptions.greedy().toBuilder().repeatPenalty(2f).build();
        Sampler before = new Sampler(o, 2);
        before.accept(0);
        assertEquals(1, before.sample(new float[] {2f, 1.9f})); // token 0: 2 / 2 = 1 < 1.9
        Sampler after = new Sampler(o.toBuilder().order(List.of(SamplerStage.TEMPERATURE, SamplerStage.PENALTIES)).build(), 2);
        after.accept(0);
        assertEquals(0, after.sample(new float[] {2f, 1.9f})); // already decided when penalties run
        // a token repeated in the window is penalised once per sample, whatever its count (frequency aside)
        Sampler twice = new Sampler(o, 2);
        twice.accept(0);
        twice.accept(0);
        assertEquals(0, twice.sample(new float[] {2f, 0.9f})); // 2 / 2 = 1 > 0.9 (not 2 / 4)
    }

    @Test
    void greedyIgnoresTheSeed() {
        float[] logits = {0.3f, 0.2f, 0.9f, 0.85f};
        for (long seed = 0; seed < 50; seed++) {
            Sampler s = new Sampler(SamplingOptions.greedy().toBuilder().seed(seed).build(), 4);
            assertEquals(2, s.sample(logits));
        }
    }

    @Test
    void topKKeepsTheKLargestAndRenormalises() {
        Sampler s = new Sampler(plain().topK(2).build(), 5);
        s.sample(new float[] {1, 5, 3, 4, 2});
        double[] p = sampledDistribution(s, 5);
        // softmax over {5, 4}: e^5/(e^5+e^4) = 1/(1+e^-1) = 0.7310586
        assertArrayEquals(new double[] {0, 0.7310586, 0, 0.2689414, 0}, p, 1e-6);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        float[] logits = {ln(0.05), ln(0.5), ln(0.15), ln(0.3)};
        // sorted: 0.5, 0.3, 0.15, 0.05; cumulative 0.5, 0.8, 0.95, 1.0
        Sampler s75 = new Sampler(plain().topP(0.75f).build(), 4);
        s75.sample(logits);
        assertArrayEquals(new double[] {0, 0.5 / 0.8, 0, 0.3 / 0.8}, sampledDistribution(s75, 4), 1e-6);
        Sampler s90 = new Sampler(plain().topP(0.9f).build(), 4);
        s90.sample(logits);
        assertArrayEquals(new double[] {0, 0.5 / 0.95, 0.15 / 0.95, 0.3 / 0.95}, sampledDistribution(s90, 4), 1e-6);
        // minKeep wins over p
        Sampler keep3 = new Sampler(plain().topP(0.1f).minKeep(3).build(), 4);
        keep3.sample(logits);
        assertEquals(3, Arrays.stream(sampledDistribution(keep3, 4)).filter(x -> x > 0).count());
    }

    @Test
    void minPKeepsTokensAtLeastPTimesTheTop() {
        float[] logits = {ln(0.05), ln(0.5), ln(0.15), ln(0.3)};
        Sampler half = new Sampler(plain().minP(0.5f).build(), 4); // threshold 0.25: keeps 0.5, 0.3
        half.sample(logits);
        assertArrayEquals(new double[] {0, 0.5 / 0.8, 0, 0.3 / 0.8}, sampledDistribution(half, 4), 1e-6);
        Sampler fifth = new Sampler(plain().minP(0.2f).build(), 4); // threshold 0.1: drops 0.05 only
        fifth.sample(logits);
        assertArrayEquals(new double[] {0, 0.5 / 0.95, 0.15 / 0.95, 0.3 / 0.95}, sampledDistribution(fifth, 4), 1e-6);
        Sampler keep3 = new Sampler(plain().minP(0.9f).minKeep(3).build(), 4); // only 0.5 passes; minKeep 3
        keep3.sample(logits);
        assertArrayEquals(new double[] {0, 0.5 / 0.95, 0.15 / 0.95, 0.3 / 0.95}, sampledDistribution(keep3, 4), 1e-6);
    }

    @Test
    void temperatureScalesLogits() {
        Sampler s = new Sampler(plain().temperature(0.5f).build(), 2);
        s.sample(new float[] {0, ln(2)});
        // logits / 0.5 = {0, 2 ln 2} -> weights 1 : 4
        assertArrayEquals(new double[] {0.2, 0.8}, sampledDistribution(s, 2), 1e-6);
        Sampler hot = new Sampler(plain().temperature(2f).build(), 2);
        hot.sample(new float[] {0, ln(4)});
        // {0, ln 2} -> 1 : 2
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0}, sampledDistribution(hot, 2), 1e-6);
    }

    @Test
    void penaltiesFollowLlamaCppOverTheWindow() {
        SamplingOptions o = plain().repeatPenalty(2f).frequencyPenalty(0.5f).presencePenalty(0.25f).penaltyLastN(3).build();
        Sampler s = new Sampler(o, 4);
        s.accept(0);
        s.accept(1);
        s.accept(1);
        s.sample(new float[] {2f, -2f, 1f, 0.5f});
        // token 0 (once):  2 / 2 - 0.5*1 - 0.25 = 0.25
        // token 1 (twice): -2 * 2 - 0.5*2 - 0.25 = -5.25
        double[] expect = softmax(0.25, -5.25, 1, 0.5);
        assertArrayEquals(expect, sampledDistribution(s, 4), 1e-6);

        // a window of 2 has forgotten token 0
        Sampler narrow = new Sampler(o.toBuilder().penaltyLastN(2).build(), 4);
        narrow.acceptAll(new int[] {0, 1, 1}, 0, 3);
        narrow.sample(new float[] {2f, -2f, 1f, 0.5f});
        assertArrayEquals(softmax(2, -5.25, 1, 0.5), sampledDistribution(narrow, 4), 1e-6);

        // the ring keeps sliding: after 2, 2 the window holds {2, 2}
        narrow.accept(2);
        narrow.accept(2);
        narrow.sample(new float[] {2f, -2f, 1f, 0.5f});
        // token 2 (twice): 1/2 - 1.0 - 0.25 = -0.75
        assertArrayEquals(softmax(2, -2, -0.75, 0.5), sampledDistribution(narrow, 4), 1e-6);

        narrow.resetHistory();
        narrow.sample(new float[] {2f, -2f, 1f, 0.5f});
        assertArrayEquals(softmax(2, -2, 1, 0.5), sampledDistribution(narrow, 4), 1e-6);
    }

    @Test
    void logitBiasComesFirstAndCanBan() {
        SamplingOptions greedy = SamplingOptions.greedy();
        float[] logits = {3f, 1f, 2f};
        assertEquals(2, new Sampler(greedy.toBuilder().logitBias(2, 1.5f).build(), 3).sample(logits));
        assertEquals(2, new Sampler(greedy.toBuilder().logitBias(0, Float.NEGATIVE_INFINITY).build(), 3).sample(logits));
        Sampler all = new Sampler(greedy.toBuilder().logitBias(0, Float.NEGATIVE_INFINITY)
                .logitBias(1, Float.NEGATIVE_INFINITY).logitBias(2, Float.NEGATIVE_INFINITY).build(), 3);
        assertThrows(IllegalStateException.class, () -> all.sample(logits));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(greedy.toBuilder().logitBias(3, 1f).build(), 3));
    }

    @Test
    void orderMatters() {
        float[] logits = {ln(0.5), ln(0.3), ln(0.2)};
        SamplingOptions base = plain().temperature(0.25f).topP(0.6f).build();
        // default: top-p first keeps {0.5, 0.3}, then temperature sharpens them
        Sampler topPFirst = new Sampler(base, 3);
        topPFirst.sample(logits);
        double a = Math.pow(0.5, 4), b = Math.pow(0.3, 4);
        assertArrayEquals(new double[] {a / (a + b), b / (a + b), 0}, sampledDistribution(topPFirst, 3), 1e-6);
        // temperature first: 0.5^4 : 0.3^4 : 0.2^4 = 0.891 of the mass on token 0 -> top-p 0.6 keeps it alone
        Sampler tempFirst = new Sampler(base.toBuilder()
                .order(List.of(SamplerStage.TEMPERATURE, SamplerStage.TOP_P)).build(), 3);
        tempFirst.sample(logits);
        assertArrayEquals(new double[] {1, 0, 0}, sampledDistribution(tempFirst, 3), 1e-6);
        // a stage left out of the order does not run
        Sampler noTopP = new Sampler(base.toBuilder().order(List.of(SamplerStage.TEMPERATURE)).build(), 3);
        noTopP.sample(logits);
        assertEquals(3, Arrays.stream(sampledDistribution(noTopP, 3)).filter(x -> x > 0).count());
    }

    @Test
    void drawsFollowTheDistribution() {
        float[] logits = {ln(0.1), ln(0.2), ln(0.3), ln(0.4)};
        Sampler s = new Sampler(plain().seed(42).build(), 4);
        int n = 40_000;
        int[] counts = new int[4];
        for (int i = 0; i < n; i++) counts[s.sample(logits)]++;
        double[] p = {0.1, 0.2, 0.3, 0.4};
        double chi2 = IntStream.range(0, 4).mapToDouble(i -> Math.pow(counts[i] - n * p[i], 2) / (n * p[i])).sum();
        // 3 degrees of freedom: 16.27 is the 0.1% critical value
        assertTrue(chi2 < 16.27, () -> "chi2 " + chi2 + " counts " + Arrays.toString(counts));
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.sin(i * 0.7);
        SamplingOptions o = SamplingOptions.builder().seed(1234).build(); // llama.cpp defaults
        int[] a = draw(new Sampler(o, 50), logits, 200);
        int[] b = draw(new Sampler(o, 50), logits, 200);
        int[] c = draw(new Sampler(o.toBuilder().seed(1235).build(), 50), logits, 200);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(1234, new Sampler(o, 50).seed());
        // the stream is fixed by the algorithm, not the JVM: SplitMix64(0) starts with 0xE220A8397B1DCDAF
        assertEquals(0xE220A8397B1DCDAFL, new SplitMix64(0).nextLong());
    }

    private static int[] draw(Sampler s, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(logits);
            s.accept(out[i]);
        }
        return out;
    }

    @Test
    void modelLogprobsAreTheLogSoftmaxOfTheRawLogits() {
        float[] logits = {1f, 3f, 2f, -1f, 0.5f};
        double[] p = softmax(1, 3, 2, -1, 0.5);
        // heavy bias and temperature must not change MODEL probabilities
        Sampler s = new Sampler(SamplingOptions.greedy().toBuilder().logitBias(4, 100f).build(), 5);
        assertEquals(4, s.sample(logits));
        assertEquals(Math.log(p[4]), s.lastLogprob(ProbabilitySource.MODEL), 1e-6);
        assertEquals(0f, s.lastLogprob(ProbabilitySource.SAMPLED), 1e-7);
        int[] ids = new int[3];
        float[] lp = new float[3];
        assertEquals(3, s.topAlternatives(ProbabilitySource.MODEL, 3, ids, lp));
        assertArrayEquals(new int[] {1, 2, 0}, ids);
        assertArrayEquals(new float[] {(float) Math.log(p[1]), (float) Math.log(p[2]), (float) Math.log(p[0])}, lp, 1e-6f);
        // SAMPLED alternatives only contain the chain's survivors
        assertEquals(1, s.topAlternatives(ProbabilitySource.SAMPLED, 3, ids, lp));
        assertEquals(4, ids[0]);
    }

    @Test
    void sampledLogprobOfTheChosenTokenMatchesItsProbability() {
        float[] logits = {ln(0.1), ln(0.2), ln(0.3), ln(0.4)};
        Sampler s = new Sampler(plain().seed(7).build(), 4);
        for (int i = 0; i < 20; i++) {
            int t = s.sample(logits);
            assertEquals(Math.log(new double[] {0.1, 0.2, 0.3, 0.4}[t]), s.lastLogprob(ProbabilitySource.SAMPLED), 1e-6);
            assertEquals(Math.log(new double[] {0.1, 0.2, 0.3, 0.4}[t]), s.lastLogprob(ProbabilitySource.MODEL), 1e-6);
        }
    }

    @Test
    void nanLogitsAreNeverChosen() {
        Sampler s = new Sampler(plain().seed(3).build(), 3);
        for (int i = 0; i < 100; i++) assertNotEquals(1, s.sample(new float[] {0f, Float.NaN, 0f}));
    }

    @Test
    void rejectsBadInput() {
        Sampler s = new Sampler(SamplingOptions.defaults(), 4);
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> s.accept(4));
        assertThrows(IllegalStateException.class, () -> s.lastLogprob(ProbabilitySource.MODEL));
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().minP(1.5f).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().penaltyLastN(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().temperature(Float.NaN).build());
        assertThrows(IllegalArgumentException.class,
                () -> SamplingOptions.builder().order(List.of(SamplerStage.TOP_K, SamplerStage.TOP_K)).build());
    }

    @Test
    void parsesLlamaCppStyleOrders() {
        assertEquals(SamplerStage.DEFAULT_ORDER, SamplerStage.parseOrder("penalties;top_k;top_p;min_p;temperature"));
        assertEquals(List.of(SamplerStage.MIN_P, SamplerStage.TEMPERATURE), SamplerStage.parseOrder("Min-P, temperature"));
        assertThrows(IllegalArgumentException.class, () -> SamplerStage.parseOrder("top_k;xtc"));
        assertThrows(IllegalArgumentException.class, () -> SamplerStage.parseOrder("top_k;top_k"));
    }

    static double[] softmax(double... x) {
        double max = Arrays.stream(x).max().orElseThrow();
        double sum = 0;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i] - max);
        for (int i = 0; i < x.length; i++) out[i] /= sum;
        return out;
    }
}
