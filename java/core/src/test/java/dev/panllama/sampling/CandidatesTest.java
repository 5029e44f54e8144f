package dev.panllama.sampling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class CandidatesTest {

    @Property
    void keysOrderLikeFloatsDescendingAndRoundTrip(@ForAll float a, @ForAll float b, @ForAll int ia, @ForAll int ib) {
        if (Float.isNaN(a) || Float.isNaN(b)) return;
        assertEquals(Float.floatToRawIntBits(a), Float.floatToRawIntBits(Candidates.logitOf(Candidates.key(a, ia))));
        int byFloat = Float.compare(b, a); // descending
        int byKey = Long.compare(Candidates.key(a, ia & 0x7FFFFFFF), Candidates.key(b, ib & 0x7FFFFFFF));
        if (byFloat != 0) assertEquals(Integer.signum(byFloat), Integer.signum(byKey));
    }

    @Property
    void keepTopMatchesAFullSort(@ForAll @Size(min = 1, max = 300) float[] values, @ForAll @IntRange(min = 1, max = 300) int k) {
        float[] logits = values.clone();
        for (int i = 0; i < logits.length; i++) if (Float.isNaN(logits[i])) logits[i] = 0f;
        Candidates c = new Candidates(logits.length);
        c.load(logits);
        int keep = Math.min(k, logits.length);
        c.keepTop(keep);
        Integer[] order = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        assertEquals(keep, c.size);
        for (int i = 0; i < keep; i++) {
            assertEquals(order[i], c.ids[i]);
            assertEquals(logits[order[i]], c.logits[i]);
        }
    }

    @Property(tries = 200)
    void keepTopPMatchesASortedScan(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll long seed,
                                    @ForAll @IntRange(min = 1, max = 99) int percent, @ForAll @IntRange(min = 0, max = 3) int spread) {
        java.util.Random r = new java.util.Random(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) logits[i] = (float) (r.nextGaussian() * (1 << spread));
        float p = percent / 100f;
        Candidates c = new Candidates(n);
        c.load(logits);
        c.keepTopP(p, 1);
        // reference: full sort, softmax in double, smallest prefix reaching p
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        double max = logits[order[0]], sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double cum = 0;
        int expected = n;
        for (int i = 0; i < n; i++) {
            cum += Math.exp(logits[order[i]] - max) / sum;
            if (cum >= p) { expected = i + 1; break; }
        }
        // float rounding may move the cut by one token when the cumulative sum lands on p
        assertTrue(Math.abs(c.size - expected) <= 1, "kept " + c.size + " expected " + expected);
        for (int i = 0; i < c.size; i++) assertEquals(order[i], c.ids[i]);
    }
}
