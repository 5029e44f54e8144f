package dev.panllama.kernels;

import dev.panllama.PanllamaException;
import dev.panllama.bindings.panllama_h;
import java.lang.foreign.MemorySegment;

/**
 * A native kernel context: a persistent thread pool and its scratch memory ({@code pl_ctx}).
 * One per session; not for use from two threads at once. Results never depend on the thread count.
 * Each method is one downcall; segments are checked (native, aligned, large enough) first.
 */
public final class KernelContext implements AutoCloseable {
    private MemorySegment ctx;
    private final int nThreads;

    private KernelContext(MemorySegment ctx, int nThreads) {
        this.ctx = ctx;
        this.nThreads = nThreads;
    }

    /** Starts a context computing with nThreads threads (the calling thread counts as one). */
    public static KernelContext create(int nThreads) {
        Kernels.ensureLoaded();
        if (nThreads < 1 || nThreads > 512) {
            throw new PanllamaException("thread count must be in 1..512, got " + nThreads);
        }
        MemorySegment c = panllama_h.pl_ctx_create(nThreads);
        if (c.equals(MemorySegment.NULL)) {
            throw new PanllamaException("pl_ctx_create(" + nThreads + ") failed: could not start the threads");
        }
        return new KernelContext(c, panllama_h.pl_ctx_n_threads(c));
    }

    public int nThreads() {
        return nThreads;
    }

    private MemorySegment ctx(String call) {
        if (ctx == null) throw new PanllamaException(call + ": the kernel context is closed");
        return ctx;
    }

    @Override
    public void close() {
        if (ctx != null) {
            panllama_h.pl_ctx_destroy(ctx);
            ctx = null;
        }
    }

    // ---- matrix multiplication ------------------------------------------------------------------

    /**
     * y[t][r] = W[r] . x[t] for t < nTok, r < rows: W rows x k of wtype, x nTok x k F32, y nTok x rows
     * F32. nTok == 1 is decode (matrix-vector); more is a tiled GEMM.
     */
    public void matmul(int wtype, MemorySegment w, long rows, long k, MemorySegment x, int nTok, MemorySegment y) {
        String call = "pl_matmul(wtype=" + Kernels.typeName(wtype) + ", rows=" + rows + ", k=" + k + ", nTok=" + nTok + ")";
        checkMatmul(call, wtype, w, rows, k, x, nTok, y);
        Check.status(call, panllama_h.pl_matmul(ctx(call), wtype, w, w.byteSize(), rows, k, x, nTok, y));
    }

    /** y[t][r] = silu(Wg[r] . x[t]) * (Wu[r] . x[t]); both matrices rows x k of wtype. */
    public void matmulSwiglu(int wtype, MemorySegment wGate, MemorySegment wUp, long rows, long k, MemorySegment x,
            int nTok, MemorySegment y) {
        String call = "pl_matmul_swiglu(wtype=" + Kernels.typeName(wtype) + ", rows=" + rows + ", k=" + k
                + ", nTok=" + nTok + ")";
        checkMatmul(call, wtype, wGate, rows, k, x, nTok, y);
        long need = wGate.byteSize() < wUp.byteSize() ? wGate.byteSize() : wUp.byteSize();
        Check.bytes(call, "wUp", wUp, Math.multiplyExact(Kernels.rowBytes(wtype, k), rows), Check.typeAlign(wtype));
        Check.status(call, panllama_h.pl_matmul_swiglu(ctx(call), wtype, wGate, wUp, need, rows, k, x, nTok, y));
    }

    private static void checkMatmul(String call, int wtype, MemorySegment w, long rows, long k, MemorySegment x,
            int nTok, MemorySegment y) {
        Check.positive(call, "rows", rows);
        Check.positive(call, "k", k);
        Check.positive(call, "nTok", nTok);
        long wBytes;
        try {
            wBytes = Math.multiplyExact(Kernels.rowBytes(wtype, k), rows);
        } catch (ArithmeticException e) {
            throw new PanllamaException(call + ": the weight size overflows");
        }
        Check.bytes(call, "w", w, wBytes, Check.typeAlign(wtype));
        Check.floats(call, "x", x, Math.multiplyExact(k, (long) nTok));
        Check.floats(call, "y", y, Math.multiplyExact(rows, (long) nTok));
    }

    // ---- element-wise and row ops ---------------------------------------------------------------

    /** y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w for nRows rows of n floats (y may be x). */
    public void rmsnorm(MemorySegment x, MemorySegment w, MemorySegment y, long n, int nRows, float eps) {
        String call = "pl_rmsnorm(n=" + n + ", nRows=" + nRows + ", eps=" + eps + ")";
        Check.positive(call, "n", n);
        if (nRows < 0) throw new PanllamaException(call + ": nRows must be >= 0");
        Check.floats(call, "x", x, Math.multiplyExact(n, (long) nRows));
        Check.floats(call, "w", w, n);
        Check.floats(call, "y", y, Math.multiplyExact(n, (long) nRows));
        Check.status(call, panllama_h.pl_rmsnorm(ctx(call), x, w, y, n, nRows, eps));
    }

    /** y = a + b over n floats (y may be a or b). */
    public void add(MemorySegment a, MemorySegment b, MemorySegment y, long n) {
        String call = "pl_add(n=" + n + ")";
        checkElementwise(call, a, b, y, n);
        Check.status(call, panllama_h.pl_add(ctx(call), a, b, y, n));
    }

    /** y = silu(gate) * up over n floats (y may be gate or up). */
    public void swiglu(MemorySegment gate, MemorySegment up, MemorySegment y, long n) {
        String call = "pl_swiglu(n=" + n + ")";
        checkElementwise(call, gate, up, y, n);
        Check.status(call, panllama_h.pl_swiglu(ctx(call), gate, up, y, n));
    }

    private static void checkElementwise(String call, MemorySegment a, MemorySegment b, MemorySegment y, long n) {
        if (n < 0) throw new PanllamaException(call + ": n must be >= 0");
        Check.floats(call, "a", a, n);
        Check.floats(call, "b", b, n);
        Check.floats(call, "y", y, n);
    }

    /**
     * Rotates the first nRot dims of each head of x (nTok x nHeads x headDim F32) in place, token t
     * at position pos[t] (< tablePos) of a table from {@link Kernels#ropeTable}. mode: ROPE_*.
     */
    public void rope(MemorySegment x, int nTok, int nHeads, int headDim, int nRot, MemorySegment pos,
            MemorySegment table, int tablePos, int mode) {
        String call = "pl_rope(nTok=" + nTok + ", nHeads=" + nHeads + ", headDim=" + headDim + ", nRot=" + nRot
                + ", tablePos=" + tablePos + ", mode=" + mode + ")";
        if (nTok < 0 || nHeads <= 0 || headDim <= 0 || tablePos <= 0) throw new PanllamaException(call + ": bad sizes");
        if (nRot <= 0 || nRot % 2 != 0 || nRot > headDim) {
            throw new PanllamaException(call + ": nRot must be even, > 0 and <= headDim");
        }
        Check.floats(call, "x", x, (long) nTok * nHeads * headDim);
        Check.ints(call, "pos", pos, nTok);
        Check.floats(call, "table", table, (long) tablePos * nRot);
        Check.status(call, panllama_h.pl_rope(ctx(call), x, nTok, nHeads, headDim, nRot, pos, table, tablePos, mode));
    }

    // ---- KV cache and attention -----------------------------------------------------------------

    /** Writes nTok rows of K and V (F32, nTok x nKvHeads*headDim) into the cache at [pos0, pos0+nTok). */
    public void kvStore(int kvType, MemorySegment kCache, MemorySegment vCache, int nKvHeads, int headDim, int maxCtx,
            int pos0, MemorySegment k, MemorySegment v, int nTok) {
        String call = "pl_kv_store(type=" + Kernels.typeName(kvType) + ", nKvHeads=" + nKvHeads + ", headDim="
                + headDim + ", maxCtx=" + maxCtx + ", pos0=" + pos0 + ", nTok=" + nTok + ")";
        long cacheBytes = checkCache(call, kvType, kCache, vCache, nKvHeads, headDim, maxCtx, pos0, nTok);
        long n = (long) nTok * nKvHeads * headDim;
        Check.floats(call, "k", k, n);
        Check.floats(call, "v", v, n);
        Check.status(call, panllama_h.pl_kv_store(ctx(call), kvType, kCache, vCache, cacheBytes, nKvHeads, headDim,
                maxCtx, pos0, k, v, nTok));
    }

    /**
     * Causal attention of nTok query tokens at positions [pos0, pos0+nTok) over the cache: q and out
     * are nTok x nHeads*headDim F32; query head h reads KV head h / (nHeads / nKvHeads).
     */
    public void attention(int kvType, MemorySegment kCache, MemorySegment vCache, int nKvHeads, int headDim,
            int maxCtx, MemorySegment q, int nHeads, int nTok, int pos0, float scale, MemorySegment out) {
        String call = "pl_attention(type=" + Kernels.typeName(kvType) + ", nKvHeads=" + nKvHeads + ", headDim="
                + headDim + ", maxCtx=" + maxCtx + ", nHeads=" + nHeads + ", nTok=" + nTok + ", pos0=" + pos0 + ")";
        long cacheBytes = checkCache(call, kvType, kCache, vCache, nKvHeads, headDim, maxCtx, pos0, nTok);
        if (nHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new PanllamaException(call + ": nHeads must be a positive multiple of nKvHeads");
        }
        long n = (long) nTok * nHeads * headDim;
        Check.floats(call, "q", q, n);
        Check.floats(call, "out", out, n);
        Check.status(call, panllama_h.pl_attention(ctx(call), kvType, kCache, vCache, cacheBytes, nKvHeads, headDim,
                maxCtx, q, nHeads, nTok, pos0, scale, out));
    }

    private static long checkCache(String call, int kvType, MemorySegment kCache, MemorySegment vCache, int nKvHeads,
            int headDim, int maxCtx, int pos0, int nTok) {
        long bytes = Kernels.kvCacheBytes(kvType, nKvHeads, headDim, maxCtx);
        int align = Check.typeAlign(kvType);
        Check.bytes(call, "kCache", kCache, bytes, align);
        Check.bytes(call, "vCache", vCache, bytes, align);
        if (pos0 < 0 || nTok < 0 || (long) pos0 + nTok > maxCtx) {
            throw new PanllamaException(call + ": positions [" + pos0 + ", " + ((long) pos0 + nTok)
                    + ") do not fit a cache of " + maxCtx);
        }
        return bytes;
    }

    // ---- benchmark --------------------------------------------------------------------------------

    /** STREAM triad a = b + s*c over n floats on the pool's threads. */
    public void benchTriad(MemorySegment a, MemorySegment b, MemorySegment c, long n, float s) {
        String call = "pl_bench_triad(n=" + n + ")";
        checkElementwise(call, b, c, a, n);
        Check.status(call, panllama_h.pl_bench_triad(ctx(call), a, b, c, n, s));
    }
}
