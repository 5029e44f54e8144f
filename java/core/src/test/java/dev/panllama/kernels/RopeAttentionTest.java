package dev.panllama.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panllama.PanllamaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RoPE, KV cache, attention, element-wise ops and ISA switching through the bindings. */
class RopeAttentionTest {
    private static float[] random(Random r, int n) {
        return KernelContextTest.random(r, n);
    }

    private static MemorySegment seg(Arena a, float[] v) {
        return KernelContextTest.seg(a, v, 0);
    }

    private static float[] floats(MemorySegment s, int n) {
        return KernelContextTest.floats(s, n);
    }

    @Test
    void ropeRotatesLikeTheFormula() {
        int nTok = 2, nHeads = 3, headDim = 8, nRot = 6, nPos = 16;
        float theta = 10000f;
        Random r = new Random(1);
        float[] x = random(r, nTok * nHeads * headDim);
        for (int mode : new int[] {Kernels.ROPE_NORMAL, Kernels.ROPE_NEOX}) {
            try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
                MemorySegment table = arena.allocate(4L * nPos * nRot, 4);
                Kernels.ropeTable(table, nPos, nRot, theta, null);
                MemorySegment xs = seg(arena, x);
                MemorySegment pos = arena.allocate(8, 4);
                pos.setAtIndex(ValueLayout.JAVA_INT, 0, 5);
                pos.setAtIndex(ValueLayout.JAVA_INT, 1, 11);
                ctx.rope(xs, nTok, nHeads, headDim, nRot, pos, table, nPos, mode);
                float[] y = floats(xs, x.length);
                for (int t = 0; t < nTok; t++) {
                    int p = t == 0 ? 5 : 11;
                    for (int h = 0; h < nHeads; h++) {
                        int base = (t * nHeads + h) * headDim;
                        for (int i = 0; i < nRot / 2; i++) {
                            double a = p * Math.pow(theta, -2.0 * i / nRot);
                            int i0 = mode == Kernels.ROPE_NEOX ? i : 2 * i;
                            int i1 = mode == Kernels.ROPE_NEOX ? i + nRot / 2 : 2 * i + 1;
                            double x0 = x[base + i0], x1 = x[base + i1];
                            // float angle recurrence and cosf/sinf: ~1e-6 for positions this small
                            assertEquals(x0 * Math.cos(a) - x1 * Math.sin(a), y[base + i0], 1e-5);
                            assertEquals(x0 * Math.sin(a) + x1 * Math.cos(a), y[base + i1], 1e-5);
                        }
                        for (int d = nRot; d < headDim; d++) assertEquals(x[base + d], y[base + d]);
                    }
                }
            }
        }
    }

    /** GQA prefill over an F16 cache vs a double-precision Java reference, identical for 1..4 threads. */
    @Test
    void gqaAttentionMatchesJavaAndIsThreadCountIndependent() {
        int nKv = 2, nHeads = 6, hd = 32, maxCtx = 64, pos0 = 20, nTok = 5, n = pos0 + nTok;
        Random r = new Random(2);
        float[] k = random(r, n * nKv * hd), v = random(r, n * nKv * hd), q = random(r, nTok * nHeads * hd);
        float scale = (float) (1 / Math.sqrt(hd));
        float[] first = null;
        for (int threads = 1; threads <= 4; threads++) {
            try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(threads)) {
                long bytes = Kernels.kvCacheBytes(Kernels.F16, nKv, hd, maxCtx);
                MemorySegment kc = arena.allocate(bytes, 64), vc = arena.allocate(bytes, 64);
                ctx.kvStore(Kernels.F16, kc, vc, nKv, hd, maxCtx, 0, seg(arena, k), seg(arena, v), n);
                MemorySegment out = arena.allocate(4L * q.length, 4);
                ctx.attention(Kernels.F16, kc, vc, nKv, hd, maxCtx, seg(arena, q), nHeads, nTok, pos0, scale, out);
                float[] o = floats(out, q.length);
                if (first == null) {
                    first = o;
                    // reference on the F16-rounded cache values and q
                    MemorySegment kd = arena.allocate(4L * k.length, 4), vd = arena.allocate(4L * v.length, 4);
                    MemorySegment kh = arena.allocate(2L * k.length, 2), vh = arena.allocate(2L * v.length, 2);
                    Kernels.quantize(Kernels.F16, seg(arena, k), k.length, kh);
                    Kernels.quantize(Kernels.F16, seg(arena, v), v.length, vh);
                    Kernels.dequantize(Kernels.F16, kh, kd, k.length);
                    Kernels.dequantize(Kernels.F16, vh, vd, v.length);
                    float[] kf = floats(kd, k.length), vf = floats(vd, v.length);
                    // q too is rounded to F16 against an F16 cache (llama.cpp's F16 matmul does)
                    MemorySegment qd = arena.allocate(4L * q.length, 4), qh = arena.allocate(2L * q.length, 2);
                    Kernels.quantize(Kernels.F16, seg(arena, q), q.length, qh);
                    Kernels.dequantize(Kernels.F16, qh, qd, q.length);
                    float[] qf = floats(qd, q.length);
                    int group = nHeads / nKv;
                    for (int t = 0; t < nTok; t++) {
                        for (int h = 0; h < nHeads; h++) {
                            int g = h / group, ctxLen = pos0 + t + 1;
                            double[] s = new double[ctxLen];
                            double max = Double.NEGATIVE_INFINITY, sum = 0;
                            for (int j = 0; j < ctxLen; j++) {
                                double d = 0;
                                for (int i = 0; i < hd; i++) d += qf[(t * nHeads + h) * hd + i] * kf[(j * nKv + g) * hd + i];
                                s[j] = d * scale;
                                max = Math.max(max, s[j]);
                            }
                            for (int j = 0; j < ctxLen; j++) sum += Math.exp(s[j] - max);
                            // the softmax weights are rounded to F16 too (llama.cpp's KQ.V with an F16 V)
                            double[] w = new double[ctxLen];
                            for (int j = 0; j < ctxLen; j++)
                                w[j] = Float.float16ToFloat(Float.floatToFloat16((float) (Math.exp(s[j] - max) / sum)));
                            for (int i = 0; i < hd; i++) {
                                double acc = 0;
                                for (int j = 0; j < ctxLen; j++) acc += w[j] * vf[(j * nKv + g) * hd + i];
                                // convex combination of V rows (|v| < ~5); a weight computed in float may land on
                                // the neighbouring F16 value (2^-11 relative): at most 2^-11 * max|v| in all
                                assertEquals(acc, o[(t * nHeads + h) * hd + i], 2.5e-3, "t=" + t + " h=" + h);
                            }
                        }
                    }
                } else {
                    assertArrayEquals(first, o, "threads=" + threads);
                }
            }
        }
    }

    @Test
    void elementwiseOps() {
        Random r = new Random(3);
        int n = 1003;
        float[] a = random(r, n), b = random(r, n);
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
            MemorySegment y = arena.allocate(4L * n, 4);
            ctx.add(seg(arena, a), seg(arena, b), y, n);
            float[] s = floats(y, n);
            for (int i = 0; i < n; i++) assertEquals(a[i] + b[i], s[i]);
            ctx.swiglu(seg(arena, a), seg(arena, b), y, n);
            s = floats(y, n);
            for (int i = 0; i < n; i++) {
                double want = a[i] / (1 + Math.exp(-a[i])) * b[i];
                assertEquals(want, s[i], 1e-6 * Math.abs(want) + 1e-30);
            }
            MemorySegment sm = seg(arena, a);
            Kernels.softmax(sm, n, 1);
            float[] p = floats(sm, n);
            double total = 0;
            for (float f : p) total += f;
            assertEquals(1.0, total, 1e-5);
        }
    }

    @Test
    void scalarPathAgreesWithTheBestPath() {
        Random r = new Random(4);
        int rows = 50, k = 256;
        float[] w = random(r, rows * k), x = random(r, k);
        int best = Kernels.isaActive();
        try (Arena arena = Arena.ofConfined(); KernelContext ctx = KernelContext.create(2)) {
            MemorySegment wq = arena.allocate(Kernels.rowBytes(Kernels.Q4_0, k) * rows, 1);
            Kernels.quantize(Kernels.Q4_0, seg(arena, w), (long) rows * k, wq);
            MemorySegment y1 = arena.allocate(4L * rows, 4), y2 = arena.allocate(4L * rows, 4);
            ctx.matmul(Kernels.Q4_0, wq, rows, k, seg(arena, x), 1, y1);
            Kernels.forceIsa(Kernels.ISA_SCALAR);
            try {
                assertEquals("scalar", Kernels.isaName(Kernels.isaActive()));
                ctx.matmul(Kernels.Q4_0, wq, rows, k, seg(arena, x), 1, y2);
            } finally {
                Kernels.forceIsa(best);
            }
            float[] a = floats(y1, rows), b = floats(y2, rows);
            // same integer block sums; float accumulation order differs: 1e-4 of the magnitude
            for (int i = 0; i < rows; i++) assertEquals(b[i], a[i], 1e-4 * (Math.abs(b[i]) + 10));
        }
        assertThrows(PanllamaException.class, () -> Kernels.forceIsa(42));
    }
}
