package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The held-token ring against an ArrayDeque doing the same adds and removes (wrap-around, growth, clear). */
class HeldTokensTest {
    private record Ref(int id, String text, float logprob, List<TokenAlternative> alts) {}

    @Test
    void behavesLikeADeque() {
        SplittableRandom random = new SplittableRandom(5);
        HeldTokens held = new HeldTokens();
        ArrayDeque<Ref> ref = new ArrayDeque<>();
        List<TokenAlternative> alts = List.of(new TokenAlternative(1, "a", -0.5f));
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 5 || ref.isEmpty()) {
                Ref r = new Ref(step, "t" + step, -step / 7f, step % 3 == 0 ? alts : List.of());
                held.add(r.id, r.text, r.logprob, r.alts);
                ref.addLast(r);
            } else if (op < 9) {
                Ref r = ref.pollFirst();
                assertEquals(r.id, held.firstId());
                assertEquals(r.text, held.firstText());
                assertEquals(r.logprob, held.firstLogprob());
                assertSame(r.alts, held.firstAlternatives());
                held.removeFirst();
            } else if (step % 50 == 0) {
                held.clear();
                ref.clear();
            }
            assertEquals(ref.size(), held.size());
            assertEquals(ref.isEmpty(), held.isEmpty());
        }
        held.clear();
        assertThrows(IllegalStateException.class, held::removeFirst);
    }
}
