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
}
