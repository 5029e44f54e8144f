package dev.panllama.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-token kernel calls allocate nothing on the Java heap when their arguments are good: the
 * call description in error messages is built only on failure. Building it eagerly costs well over
 * 100 bytes per call, so 20k calls would allocate megabytes.
 */
class CheckAllocationTest {

    @Test
    void successfulCallsDoNotAllocate() {
        var mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        var bean = (com.sun.management.ThreadMXBean) mx;
        long tid = Thread.currentThread().threadId();
        int k = 64, rows = 8, calls = 20_000;
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(1)) {
            MemorySegment w = arena.allocate(Kernels.rowBytes(Kernels.Q8_0, k) * rows, 64);
            MemorySegment x = arena.allocate(4L * k, 64), y = arena.allocate(4L * rows, 64);
            MemorySegment norm = arena.allocate(4L * k, 64);
            Runnable step = () -> {
                ctx.matmul(Kernels.Q8_0, w, rows, k, x, 1, y);
                ctx.rmsnorm(x, norm, x, k, 1, 1e-5f);
                ctx.add(x, x, x, k);
            };
            for (int i = 0; i < calls; i++) step.run(); // let the JIT compile the path
            long before = bean.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) step.run();
            long bytes = bean.getThreadAllocatedBytes(tid) - before;
            // a few KiB of slack for JIT/GC bookkeeping attributed to this thread
            assertTrue(bytes < 64 * 1024, bytes + " bytes allocated over " + 3 * calls + " successful calls");
        }
    }
}
