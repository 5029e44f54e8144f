package dev.panllama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panllama.gguf.TestData;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Generating a token allocates on the heap only the {@link Token} handed to the caller and its
 * share of the result (its slot in the token list, its text): the piece bytes are read in place,
 * a token's text is one shared String per id, held tokens live in arrays. Measured as the
 * difference between a long and a short generation, so that per-generation costs cancel out.
 * Before: about 170 bytes per token (a copy of the piece bytes, a new String, a holder record).
 */
class GenerationAllocationTest {
    private static final int SHORT = 64, LONG = 320; // stories260K's context is 512

    @Test
    void aTokenAllocatesLittleMoreThanItsToken() {
        var mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        var bean = (com.sun.management.ThreadMXBean) mx;
        try (Model model = Model.load(TestData.stories260K());
                Session s = model.newSession(SessionOptions.builder().threads(1).build())) {
            for (GenerateOptions base : new GenerateOptions[] {
                    GenerateOptions.builder().greedy().build(),
                    GenerateOptions.builder().temperature(0.9f).seed(3).build()}) {
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 24; round++) { // the first rounds let the JIT compile the loop
                    long shortBytes = allocated(bean, s, base.toBuilder().maxTokens(SHORT).ignoreEos(true).build(), SHORT);
                    long longBytes = allocated(bean, s, base.toBuilder().maxTokens(LONG).ignoreEos(true).build(), LONG);
                    if (round >= 16) best = Math.min(best, longBytes - shortBytes);
                }
                double perToken = (double) best / (LONG - SHORT);
                // Token: 32 bytes with compressed references; list slot, text and their copies in the
                // result: some 20 more; 96 leaves room for a JVM without compressed references.
                assertTrue(perToken < 96, perToken + " bytes per generated token (" + base.sampling() + ")");
            }
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean bean, Session s, GenerateOptions o, int tokens) {
        s.clearCache();
        long[] seen = {0};
        long before = bean.getCurrentThreadAllocatedBytes();
        GenerationResult r = s.generate("Once upon a time", o, t -> seen[0]++);
        long bytes = bean.getCurrentThreadAllocatedBytes() - before;
        assertEquals(tokens, r.stats().generatedTokens());
        assertEquals(tokens, seen[0]);
        return bytes;
    }
}
