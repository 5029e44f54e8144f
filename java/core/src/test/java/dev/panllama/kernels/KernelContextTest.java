package dev.panllama.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernels through the jextract bindings, against plain-Java references. */
class KernelContextTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** A native segment holding a at byte offset off (off lets tests use unaligned-to-vector addresses). */
    static MemorySegment seg(Arena arena, float[] a, int off) {
        MemorySegment s = arena.allocate(4L * a.length + off, 64).asSlice(off);
        for (int i = 0; i < a.length; i++) s.setAtIndex(F, i, a[i]);
        return s;
    }

    static float[] floats(MemorySegment s, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = s.getAtIndex(F, i);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 12})
    void rmsnormMatchesJava(int off) {
        Random r = new Random(1);
        int n = 576, rows = 3;
        float[] x = random(r, n * rows), w = random(r, n);
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
            MemorySegment xs = seg(arena, x, off), ws = seg(arena, w, off), ys = seg(arena, new float[n * rows], off);
            ctx.rmsnorm(xs, ws, ys, n, rows, 1e-5f);
            float[] y = floats(ys, n * rows);
            for (int row = 0; row < rows; row++) {
                double ss = 0;
                for (int i = 0; i < n; i++) ss += (double) x[row * n + i] * x[row * n + i];
                double scale = 1.0 / Math.sqrt(ss / n + 1e-5);
                for (int i = 0; i < n; i++) {
                    double want = x[row * n + i] * scale * w[i];
                    // float rounding of two products: a few ulps relative
                    assertEquals(want, y[row * n + i], 1e-5 * Math.abs(want) + 1e-6, "row " + row + " i " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void f32MatmulMatchesJava(int nTok) {
        Random r = new Random(2);
        int rows = 37, k = 67; // not multiples of any vector width
        float[] w = random(r, rows * k), x = random(r, nTok * k);
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
            MemorySegment ys = arena.allocate(4L * rows * nTok, 4);
            ctx.matmul(Kernels.F32, seg(arena, w, 4), rows, k, seg(arena, x, 8), nTok, ys);
            float[] y = floats(ys, rows * nTok);
            for (int t = 0; t < nTok; t++) {
                for (int i = 0; i < rows; i++) {
                    double want = 0, mag = 0;
                    for (int j = 0; j < k; j++) {
                        want += (double) w[i * k + j] * x[t * k + j];
                        mag += Math.abs((double) w[i * k + j] * x[t * k + j]);
                    }
                    // float accumulation over k terms: error bounded by ~k * eps * sum|terms|
                    assertEquals(want, y[t * rows + i], 1e-6 * k * mag + 1e-6);
                }
            }
        }
    }

    /** Q8_0 weights: Java dequantizes the weights and the Q8_0-quantized activations and sums exactly. */
    @Test
    void q8MatmulMatchesDequantizedReference() {
        Random r = new Random(3);
        int rows = 19, k = 96, nTok = 3;
        float[] w = random(r, rows * k), x = random(r, nTok * k);
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(3)) {
            long rb = Kernels.rowBytes(Kernels.Q8_0, k);
            MemorySegment wq = arena.allocate(rb * rows, 1);
            Kernels.quantize(Kernels.Q8_0, seg(arena, w, 0), (long) rows * k, wq);
            MemorySegment wd = arena.allocate(4L * rows * k, 4);
            Kernels.dequantize(Kernels.Q8_0, wq, wd, (long) rows * k);
            MemorySegment xq = arena.allocate(rb * nTok, 1);
            Kernels.quantize(Kernels.Q8_0, seg(arena, x, 0), (long) nTok * k, xq);
            MemorySegment xd = arena.allocate(4L * nTok * k, 4);
            Kernels.dequantize(Kernels.Q8_0, xq, xd, (long) nTok * k);
            float[] wf = floats(wd, rows * k), xf = floats(xd, nTok * k);
            MemorySegment ys = arena.allocate(4L * rows * nTok, 4);
            ctx.matmul(Kernels.Q8_0, wq, rows, k, seg(arena, x, 0), nTok, ys);
            float[] y = floats(ys, rows * nTok);
            for (int t = 0; t < nTok; t++) {
                for (int i = 0; i < rows; i++) {
                    double want = 0, mag = 0;
                    for (int j = 0; j < k; j++) {
                        want += (double) wf[i * k + j] * xf[t * k + j];
                        mag += Math.abs((double) wf[i * k + j] * xf[t * k + j]);
                    }
                    // exact integer block sums; only float scaling and an activation rounding that may
                    // differ by one step from the reference quantizer on SIMD paths (1/127 of the block max)
                    assertEquals(want, y[t * rows + i], 0.02 * mag + 1e-4);
                }
            }
        }
    }

    @Test
    void resultsAreIdenticalForAnyThreadCount() {
        Random r = new Random(4);
        int rows = 300, k = 256, nTok = 7;
        float[] w = random(r, rows * k), x = random(r, nTok * k);
        float[] first = null;
        try (Arena arena = Arena.ofConfined()) {
            long rb = Kernels.rowBytes(Kernels.Q4_1, k);
            MemorySegment wq = arena.allocate(rb * rows, 1);
            Kernels.quantize(Kernels.Q4_1, seg(arena, w, 0), (long) rows * k, wq);
            for (int threads = 1; threads <= 4; threads++) {
                try (KernelContext ctx = KernelContext.create(threads)) {
                    MemorySegment ys = arena.allocate(4L * rows * nTok, 4);
                    ctx.matmul(Kernels.Q4_1, wq, rows, k, seg(arena, x, 0), nTok, ys);
                    float[] y = floats(ys, rows * nTok);
                    if (first == null) first = y;
                    else assertArrayEquals(first, y, "threads=" + threads);
                }
            }
        }
    }

    @Test
    void badSizesThrowInsteadOfCrashing() {
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(1)) {
            MemorySegment small = arena.allocate(16, 4);
            MemorySegment big = arena.allocate(4096, 4);
            var e = assertThrows(PanllamaException.class, () -> ctx.matmul(Kernels.F32, small, 10, 10, big, 1, big));
            assertTrue(e.getMessage().contains("pl_matmul") && e.getMessage().contains("needs 400"), e.getMessage());
            assertThrows(PanllamaException.class, () -> ctx.matmul(Kernels.Q4_0, big, 2, 33, big, 1, big));
            assertThrows(PanllamaException.class, () -> ctx.matmul(77, big, 2, 32, big, 1, big));
            assertThrows(PanllamaException.class, () -> ctx.rmsnorm(big, small, big, 64, 1, 1e-5f));
            assertThrows(PanllamaException.class, () -> ctx.add(big.asSlice(1), big, big, 8));
            assertThrows(PanllamaException.class,
                    () -> ctx.matmul(Kernels.F32, MemorySegment.ofArray(new float[100]), 10, 10, big, 1, big));
            assertThrows(PanllamaException.class, () -> Kernels.kvCacheBytes(Kernels.Q8_0, 2, 48, 16));
            MemorySegment ids = arena.allocate(4, 4);
            ids.set(ValueLayout.JAVA_INT, 0, 5);
            var g = assertThrows(PanllamaException.class,
                    () -> Kernels.getRows(Kernels.F32, big, 4, 8, ids, 1, big));
            assertTrue(g.getMessage().contains("invalid argument"), g.getMessage());
        }
        KernelContext closed = KernelContext.create(1);
        closed.close();
        assertThrows(PanllamaException.class, () -> closed.add(MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, 0));
    }

    @Test
    void attentionOverSingleCachedPositionReturnsItsValue() {
        // One position in the cache: softmax weight 1, so out == V row, whatever q is.
        int nKv = 2, hd = 32, maxCtx = 8, nHeads = 4;
        Random r = new Random(5);
        float[] k = random(r, nKv * hd), v = random(r, nKv * hd), q = random(r, nHeads * hd);
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
            long bytes = Kernels.kvCacheBytes(Kernels.F32, nKv, hd, maxCtx);
            MemorySegment kc = arena.allocate(bytes, 64), vc = arena.allocate(bytes, 64);
            ctx.kvStore(Kernels.F32, kc, vc, nKv, hd, maxCtx, 0, seg(arena, k, 0), seg(arena, v, 0), 1);
            MemorySegment out = arena.allocate(4L * nHeads * hd, 4);
            ctx.attention(Kernels.F32, kc, vc, nKv, hd, maxCtx, seg(arena, q, 0), nHeads, 1, 0, 0.125f, out);
            float[] o = floats(out, nHeads * hd);
            for (int h = 0; h < nHeads; h++) {
                int g = h / (nHeads / nKv);
                for (int d = 0; d < hd; d++) assertEquals(v[g * hd + d], o[h * hd + d], 1e-6f);
            }
        }
    }
}
