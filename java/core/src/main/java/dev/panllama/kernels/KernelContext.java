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

    /** null if the context is open, else the problem (checked after the arguments, as before). */
    private String closed() {
        return ctx == null ? "the kernel context is closed" : null;
    }

    @Override
    public void close() {
        if (ctx != null) {
            panllama_h.pl_ctx_destroy(ctx);
            ctx = null;
        }
    }

    // ---- matrix multiplication ------------------------------------------------------------------
    // Every method: check (no allocation when fine), then name the call only if something failed.

    /**
     * y[t][r] = W[r] . x[t] for t < nTok, r < rows: W rows x k of wtype, x nTok x k F32, y nTok x rows
     * F32. nTok == 1 is decode (matrix-vector); more is a tiled GEMM.
     */
    public void matmul(int wtype, MemorySegment w, long rows, long k, MemorySegment x, int nTok, MemorySegment y) {
        String p = checkMatmul(wtype, w, rows, k, x, nTok, y);
        if (p == null) p = closed();
        if (p != null) throw Check.fail(matmulCall("pl_matmul", wtype, rows, k, nTok), p);
        int st = panllama_h.pl_matmul(ctx, wtype, w, w.byteSize(), rows, k, x, nTok, y);
        if (st != 0) throw Check.failed(matmulCall("pl_matmul", wtype, rows, k, nTok), st);
    }

    /** y[t][r] = silu(Wg[r] . x[t]) * (Wu[r] . x[t]); both matrices rows x k of wtype. */
    public void matmulSwiglu(int wtype, MemorySegment wGate, MemorySegment wUp, long rows, long k, MemorySegment x,
            int nTok, MemorySegment y) {
        String p = checkMatmul(wtype, wGate, rows, k, x, nTok, y);
        if (p == null) {
            p = Check.bytes("wUp", wUp, Kernels.matrixBytes(wtype, rows, k), Check.typeAlign(wtype));
        }
        if (p == null) p = closed();
        if (p != null) throw Check.fail(matmulCall("pl_matmul_swiglu", wtype, rows, k, nTok), p);
        long need = wGate.byteSize() < wUp.byteSize() ? wGate.byteSize() : wUp.byteSize();
        int st = panllama_h.pl_matmul_swiglu(ctx, wtype, wGate, wUp, need, rows, k, x, nTok, y);
        if (st != 0) throw Check.failed(matmulCall("pl_matmul_swiglu", wtype, rows, k, nTok), st);
    }

    private static String matmulCall(String fn, int wtype, long rows, long k, int nTok) {
        return fn + "(wtype=" + Kernels.typeName(wtype) + ", rows=" + rows + ", k=" + k + ", nTok=" + nTok + ")";
    }

    private static String checkMatmul(int wtype, MemorySegment w, long rows, long k, MemorySegment x, int nTok,
            MemorySegment y) {
        String p;
        if ((p = Check.positive("rows", rows)) != null) return p;
        if ((p = Check.positive("k", k)) != null) return p;
        if ((p = Check.positive("nTok", nTok)) != null) return p;
        long wBytes = panllama_h.pl_matrix_bytes(wtype, rows, k); // repacked types: whole 8-row panels
        if (wBytes == panllama_h.PL_ERR_ARG()) return "the weight size overflows or k is not a multiple of the block";
        if (wBytes < 0) return Kernels.strerror((int) wBytes);
        if ((p = Check.bytes("w", w, wBytes, Check.typeAlign(wtype))) != null) return p;
        if ((p = Check.floats("x", x, Math.multiplyExact(k, (long) nTok))) != null) return p;
        return Check.floats("y", y, Math.multiplyExact(rows, (long) nTok));
    }

    // ---- element-wise and row ops ---------------------------------------------------------------

    /** y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w for nRows rows of n floats (y may be x). */
    public void rmsnorm(MemorySegment x, MemorySegment w, MemorySegment y, long n, int nRows, float eps) {
        String p = Check.positive("n", n);
        if (p == null && nRows < 0) p = "nRows must be >= 0";
        if (p == null) p = Check.floats("x", x, Math.multiplyExact(n, (long) nRows));
        if (p == null) p = Check.floats("w", w, n);
        if (p == null) p = Check.floats("y", y, Math.multiplyExact(n, (long) nRows));
        if (p == null) p = closed();
        if (p != null) throw Check.fail(rmsnormCall(n, nRows, eps), p);
        int st = panllama_h.pl_rmsnorm(ctx, x, w, y, n, nRows, eps);
        if (st != 0) throw Check.failed(rmsnormCall(n, nRows, eps), st);
    }

    private static String rmsnormCall(long n, int nRows, float eps) {
        return "pl_rmsnorm(n=" + n + ", nRows=" + nRows + ", eps=" + eps + ")";
    }

    /** y = a + b over n floats (y may be a or b). */
    public void add(MemorySegment a, MemorySegment b, MemorySegment y, long n) {
        String p = checkElementwise(a, b, y, n);
        if (p == null) p = closed();
        if (p != null) throw Check.fail("pl_add(n=" + n + ")", p);
        int st = panllama_h.pl_add(ctx, a, b, y, n);
        if (st != 0) throw Check.failed("pl_add(n=" + n + ")", st);
    }

    /** y = silu(gate) * up over n floats (y may be gate or up). */
    public void swiglu(MemorySegment gate, MemorySegment up, MemorySegment y, long n) {
        String p = checkElementwise(gate, up, y, n);
        if (p == null) p = closed();
        if (p != null) throw Check.fail("pl_swiglu(n=" + n + ")", p);
        int st = panllama_h.pl_swiglu(ctx, gate, up, y, n);
        if (st != 0) throw Check.failed("pl_swiglu(n=" + n + ")", st);
    }

    private static String checkElementwise(MemorySegment a, MemorySegment b, MemorySegment y, long n) {
        if (n < 0) return "n must be >= 0";
        String p;
        if ((p = Check.floats("a", a, n)) != null) return p;
        if ((p = Check.floats("b", b, n)) != null) return p;
        return Check.floats("y", y, n);
    }

    /**
     * Rotates the first nRot dims of each head of x (nTok x nHeads x headDim F32) in place, token t
     * at position pos[t] (< tablePos) of a table from {@link Kernels#ropeTable}. mode: ROPE_*.
     */
    public void rope(MemorySegment x, int nTok, int nHeads, int headDim, int nRot, MemorySegment pos,
            MemorySegment table, int tablePos, int mode) {
        String p = null;
        if (nTok < 0 || nHeads <= 0 || headDim <= 0 || tablePos <= 0) p = "bad sizes";
        else if (nRot <= 0 || nRot % 2 != 0 || nRot > headDim) p = "nRot must be even, > 0 and <= headDim";
        if (p == null) p = Check.floats("x", x, (long) nTok * nHeads * headDim);
        if (p == null) p = Check.ints("pos", pos, nTok);
        if (p == null) p = Check.floats("table", table, (long) tablePos * nRot);
        if (p == null) p = closed();
        if (p != null) throw Check.fail(ropeCall(nTok, nHeads, headDim, nRot, tablePos, mode), p);
        int st = panllama_h.pl_rope(ctx, x, nTok, nHeads, headDim, nRot, pos, table, tablePos, mode);
        if (st != 0) throw Check.failed(ropeCall(nTok, nHeads, headDim, nRot, tablePos, mode), st);
    }

    private static String ropeCall(int nTok, int nHeads, int headDim, int nRot, int tablePos, int mode) {
        return "pl_rope(nTok=" + nTok + ", nHeads=" + nHeads + ", headDim=" + headDim + ", nRot=" + nRot
                + ", tablePos=" + tablePos + ", mode=" + mode + ")";
    }

    // ---- KV cache and attention -----------------------------------------------------------------

    /** Writes nTok rows of K and V (F32, nTok x nKvHeads*headDim) into the cache at [pos0, pos0+nTok). */
    public void kvStore(int kvType, MemorySegment kCache, MemorySegment vCache, int nKvHeads, int headDim, int maxCtx,
            int pos0, MemorySegment k, MemorySegment v, int nTok) {
        long cacheBytes = cacheBytes(kvType, nKvHeads, headDim, maxCtx);
        String p = checkCache(kvType, cacheBytes, kCache, vCache, maxCtx, pos0, nTok);
        long n = (long) nTok * nKvHeads * headDim;
        if (p == null) p = Check.floats("k", k, n);
        if (p == null) p = Check.floats("v", v, n);
        if (p == null) p = closed();
        if (p != null) throw Check.fail(kvStoreCall(kvType, nKvHeads, headDim, maxCtx, pos0, nTok), p);
        int st = panllama_h.pl_kv_store(ctx, kvType, kCache, vCache, cacheBytes, nKvHeads, headDim, maxCtx, pos0, k,
                v, nTok);
        if (st != 0) throw Check.failed(kvStoreCall(kvType, nKvHeads, headDim, maxCtx, pos0, nTok), st);
    }

    private static String kvStoreCall(int kvType, int nKvHeads, int headDim, int maxCtx, int pos0, int nTok) {
        return "pl_kv_store(type=" + Kernels.typeName(kvType) + ", nKvHeads=" + nKvHeads + ", headDim=" + headDim
                + ", maxCtx=" + maxCtx + ", pos0=" + pos0 + ", nTok=" + nTok + ")";
    }

    /**
     * Causal attention of nTok query tokens at positions [pos0, pos0+nTok) over the cache: q and out
     * are nTok x nHeads*headDim F32; query head h reads KV head h / (nHeads / nKvHeads).
     */
    public void attention(int kvType, MemorySegment kCache, MemorySegment vCache, int nKvHeads, int headDim,
            int maxCtx, MemorySegment q, int nHeads, int nTok, int pos0, float scale, MemorySegment out) {
        long cacheBytes = cacheBytes(kvType, nKvHeads, headDim, maxCtx);
        String p = checkCache(kvType, cacheBytes, kCache, vCache, maxCtx, pos0, nTok);
        if (p == null && (nHeads <= 0 || nHeads % nKvHeads != 0)) p = "nHeads must be a positive multiple of nKvHeads";
        long n = (long) nTok * nHeads * headDim;
        if (p == null) p = Check.floats("q", q, n);
        if (p == null) p = Check.floats("out", out, n);
        if (p == null) p = closed();
        if (p != null) throw Check.fail(attentionCall(kvType, nKvHeads, headDim, maxCtx, nHeads, nTok, pos0), p);
        int st = panllama_h.pl_attention(ctx, kvType, kCache, vCache, cacheBytes, nKvHeads, headDim, maxCtx, q,
                nHeads, nTok, pos0, scale, out);
        if (st != 0) throw Check.failed(attentionCall(kvType, nKvHeads, headDim, maxCtx, nHeads, nTok, pos0), st);
    }

    private static String attentionCall(int kvType, int nKvHeads, int headDim, int maxCtx, int nHeads, int nTok,
            int pos0) {
        return "pl_attention(type=" + Kernels.typeName(kvType) + ", nKvHeads=" + nKvHeads + ", headDim=" + headDim
                + ", maxCtx=" + maxCtx + ", nHeads=" + nHeads + ", nTok=" + nTok + ", pos0=" + pos0 + ")";
    }

    /** Kernels.kvCacheBytes, which throws its own message for an impossible cache shape. */
    private static long cacheBytes(int kvType, int nKvHeads, int headDim, int maxCtx) {
        return Kernels.kvCacheBytes(kvType, nKvHeads, headDim, maxCtx);
    }

    private static String checkCache(int kvType, long bytes, MemorySegment kCache, MemorySegment vCache, int maxCtx,
            int pos0, int nTok) {
        int align = Check.typeAlign(kvType);
        String p;
        if ((p = Check.bytes("kCache", kCache, bytes, align)) != null) return p;
        if ((p = Check.bytes("vCache", vCache, bytes, align)) != null) return p;
        if (pos0 < 0 || nTok < 0 || (long) pos0 + nTok > maxCtx) {
            return "positions [" + pos0 + ", " + ((long) pos0 + nTok) + ") do not fit a cache of " + maxCtx;
        }
        return null;
    }

    // ---- benchmark --------------------------------------------------------------------------------

    /** STREAM triad a = b + s*c over n floats on the pool's threads. */
    public void benchTriad(MemorySegment a, MemorySegment b, MemorySegment c, long n, float s) {
        String p = checkElementwise(b, c, a, n);
        if (p == null) p = closed();
        if (p != null) throw Check.fail("pl_bench_triad(n=" + n + ")", p);
        int st = panllama_h.pl_bench_triad(ctx, a, b, c, n, s);
        if (st != 0) throw Check.failed("pl_bench_triad(n=" + n + ")", st);
    }
}
