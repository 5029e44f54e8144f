package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgmlType;
import dev.panllama.kernels.KernelContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The loader accepts exactly the weight types pl_matmul runs, so an unsupported file fails at load. */
class MatmulTypesTest {

    @Test
    void loaderTypesAreExactlyTheKernelTypes() {
        Set<Integer> runnable = new TreeSet<>();
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(1)) {
            for (GgmlType t : GgmlType.values()) {
                long k = t.blockElems() * 2L;
                MemorySegment w = arena.allocate(t.rowBytes(k) * 2, 64); // zeros: valid in every format
                MemorySegment x = arena.allocate(k * Float.BYTES, 64);
                MemorySegment y = arena.allocate(2 * Float.BYTES, 64);
                try {
                    ctx.matmul(t.id(), w, 2, k, x, 1, y);
                    runnable.add(t.id());
                } catch (PanllamaException e) {
                    // not runnable: unknown to the library, or no matmul kernel for it
                }
            }
        }
        assertTrue(runnable.contains(GgmlType.Q4_0.id()), "the native library runs Q4_0: " + runnable);
        assertEquals(new TreeSet<>(LlamaWeights.MATMUL_TYPES), runnable);
    }
}
