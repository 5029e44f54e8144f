package dev.panllama.kernels;

import dev.panllama.PanllamaException;
import dev.panllama.bindings.panllama_h;
import dev.panllama.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Typed Java calls over the native kernels that need no thread pool: tensor types, quantize /
 * dequantize, embedding lookup, softmax, RoPE tables, KV-cache sizing and the ISA switch. Kernels
 * that run on threads live on {@link KernelContext}.
 *
 * <p>Type ids are ggml's (the ids GGUF tensor infos carry): {@link #F32}, {@link #Q4_0}, ... Every
 * call checks its segments (native, aligned, large enough) before the downcall, and turns a native
 * error status into a {@link PanllamaException} naming the call and its arguments.
 */
public final class Kernels {
    public static final int F32 = 0;
    public static final int F16 = 1;
    public static final int Q4_0 = 2;
    public static final int Q4_1 = 3;
    public static final int Q5_0 = 6;
    public static final int Q5_1 = 7;
    public static final int Q8_0 = 8;
    public static final int Q8_1 = 9;
    public static final int Q4_K = 12;
    public static final int Q5_K = 13;
    public static final int Q6_K = 14;
    public static final int BF16 = 30;
    /** Q4_0 with 8 rows interleaved per block: a copy made at load ({@link #repack}), never in files. */
    public static final int Q4_0_X8 = 64;
    /** Q4_1 with 8 rows interleaved per block. */
    public static final int Q4_1_X8 = 65;
    /** Q5_0 with 8 rows interleaved per block. */
    public static final int Q5_0_X8 = 69;
    /** Q5_1 with 8 rows interleaved per block. */
    public static final int Q5_1_X8 = 70;
    /** Q4_K with 8 rows interleaved per super-block (scales unpacked to bytes). */
    public static final int Q4_K_X8 = 66;
    /** Q5_K with 8 rows interleaved per super-block (Q4_K_X8's layout plus the rows' 5th bits). */
    public static final int Q5_K_X8 = 68;
    /** Q6_K with 8 rows interleaved per super-block. */
    public static final int Q6_K_X8 = 67;

    public static final int ISA_SCALAR = 0;
    public static final int ISA_AVX2 = 1;
    public static final int ISA_AVX512 = 2;
    public static final int ISA_NEON = 3;

    public static final int ROPE_NORMAL = 0;
    public static final int ROPE_NEOX = 1;

    static {
        NativeLibrary.load();
    }

    private Kernels() {}

    /** Makes sure the native library is loaded (class initialisation does it). */
    public static void ensureLoaded() {}

    // ---- tensor types ---------------------------------------------------------------------------

    /** Elements per block (1 for float types); throws for an unknown type. */
    public static int blockElems(int type) {
        int n = panllama_h.pl_type_block_elems(type);
        if (n <= 0) throw new PanllamaException("unknown tensor type id " + type);
        return n;
    }

    /** Bytes per block; throws for an unknown type. */
    public static int blockBytes(int type) {
        int n = panllama_h.pl_type_block_bytes(type);
        if (n <= 0) throw new PanllamaException("unknown tensor type id " + type);
        return n;
    }

    /** Bytes of a row of n elements of type; throws if n is not a multiple of the block. */
    public static long rowBytes(int type, long n) {
        long b = panllama_h.pl_type_row_bytes(type, n);
        if (b < 0) {
            throw new PanllamaException("pl_type_row_bytes(type=" + typeName(type) + ", n=" + n + "): "
                    + strerror((int) b) + (b == panllama_h.PL_ERR_ARG()
                            ? " (n must be a non-negative multiple of " + panllama_h.pl_type_block_elems(type) + ")" : ""));
        }
        return b;
    }

    /** "f32", "q4_0", ... or "type#N" for an unknown id. */
    public static String typeName(int type) {
        MemorySegment s = panllama_h.pl_type_name(type);
        return s.equals(MemorySegment.NULL) ? "type#" + type : s.reinterpret(64).getString(0);
    }

    /** Bytes of a rows x k matrix of type (repacked types: rows rounded up to whole 8-row panels). */
    public static long matrixBytes(int type, long rows, long k) {
        long b = panllama_h.pl_matrix_bytes(type, rows, k);
        if (b < 0) {
            throw new PanllamaException("pl_matrix_bytes(type=" + typeName(type) + ", rows=" + rows + ", k=" + k + "): "
                    + strerror((int) b));
        }
        return b;
    }

    // ---- repacked weights -----------------------------------------------------------------------

    /**
     * The layout the active kernel path multiplies fastest for weights of type: on AVX2/AVX-512 the *_X8
     * layout of Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K, otherwise type itself.
     */
    public static int repackType(int type) {
        return panllama_h.pl_repack_type(type);
    }

    /**
     * {@code bytes} of native memory for weight copies, freed when {@code arena} closes: 64-byte aligned
     * and not zeroed (unlike {@link Arena#allocate}, whose zeroing pass over hundreds of MB cost more
     * than the copy itself).
     */
    public static MemorySegment allocateWeights(long bytes, Arena arena) {
        if (bytes <= 0) throw new PanllamaException("pl_alloc(" + bytes + "): the size must be positive");
        MemorySegment p = panllama_h.pl_alloc(bytes);
        if (p.equals(MemorySegment.NULL)) throw new PanllamaException("pl_alloc(" + bytes + "): out of memory");
        return p.reinterpret(bytes, arena, panllama_h::pl_free);
    }

    /** dst = the rows x k matrix src (of type) in layout {@code to}; dst holds {@link #matrixBytes}(to, rows, k). */
    public static void repack(int type, MemorySegment src, long rows, long k, int to, MemorySegment dst) {
        String call = "pl_repack(type=" + typeName(type) + ", rows=" + rows + ", k=" + k + ", to=" + typeName(to) + ")";
        String p = Check.bytes("src", src, matrixBytes(type, rows, k), 1);
        if (p == null) p = Check.bytes("dst", dst, matrixBytes(to, rows, k), 1);
        if (p != null) throw Check.fail(call, p);
        int st = panllama_h.pl_repack(type, src, src.byteSize(), rows, k, to, dst, dst.byteSize());
        if (st != 0) throw Check.failed(call, st);
    }

    // ---- conversions ----------------------------------------------------------------------------

    // Checks allocate nothing when the arguments are fine; the call is named only on failure.

    /** dst[0..n) = src (n elements of type) as F32. */
    public static void dequantize(int type, MemorySegment src, MemorySegment dst, long n) {
        long need = rowBytes(type, n);
        String p = Check.bytes("src", src, need, 1);
        if (p == null) p = Check.floats("dst", dst, n);
        if (p != null) throw Check.fail(convertCall("pl_dequantize", type, n), p);
        int st = panllama_h.pl_dequantize(type, src, src.byteSize(), dst, n);
        if (st != 0) throw Check.failed(convertCall("pl_dequantize", type, n), st);
    }

    /** dst = n F32 elements of src converted to type with ggml's reference rounding. */
    public static void quantize(int type, MemorySegment src, long n, MemorySegment dst) {
        long need = rowBytes(type, n);
        String p = Check.floats("src", src, n);
        if (p == null) p = Check.bytes("dst", dst, need, 1);
        if (p != null) throw Check.fail(convertCall("pl_quantize", type, n), p);
        int st = panllama_h.pl_quantize(type, src, n, dst, dst.byteSize());
        if (st != 0) throw Check.failed(convertCall("pl_quantize", type, n), st);
    }

    private static String convertCall(String fn, int type, long n) {
        return fn + "(type=" + typeName(type) + ", n=" + n + ")";
    }

    /** Embedding lookup: dst[i] = row ids[i] of table (nRows x rowLen of type) as F32. */
    public static void getRows(int type, MemorySegment table, long nRows, long rowLen, MemorySegment ids, int nIds,
            MemorySegment dst) {
        if (nRows <= 0 || rowLen <= 0 || nIds < 0) {
            throw Check.fail(getRowsCall(type, nRows, rowLen, nIds), "sizes must be positive");
        }
        long need = Math.multiplyExact(rowBytes(type, rowLen), nRows);
        String p = Check.bytes("table", table, need, 1);
        if (p == null) p = Check.ints("ids", ids, nIds);
        if (p == null) p = Check.floats("dst", dst, Math.multiplyExact(rowLen, (long) nIds));
        if (p != null) throw Check.fail(getRowsCall(type, nRows, rowLen, nIds), p);
        int st = panllama_h.pl_get_rows(type, table, table.byteSize(), nRows, rowLen, ids, nIds, dst);
        if (st != 0) throw Check.failed(getRowsCall(type, nRows, rowLen, nIds), st);
    }

    private static String getRowsCall(int type, long nRows, long rowLen, int nIds) {
        return "pl_get_rows(type=" + typeName(type) + ", nRows=" + nRows + ", rowLen=" + rowLen + ", nIds=" + nIds + ")";
    }

    // ---- row ops without a pool -----------------------------------------------------------------

    /** In-place numerically stable softmax of nRows rows of n floats. */
    public static void softmax(MemorySegment x, long n, int nRows) {
        String p = n <= 0 || nRows < 0 ? "n must be > 0 and nRows >= 0" : null;
        if (p == null) p = Check.floats("x", x, Math.multiplyExact(n, (long) nRows));
        if (p != null) throw Check.fail("pl_softmax(n=" + n + ", nRows=" + nRows + ")", p);
        int st = panllama_h.pl_softmax(x, n, nRows);
        if (st != 0) throw Check.failed("pl_softmax(n=" + n + ", nRows=" + nRows + ")", st);
    }

    /**
     * Fills table with {cos, sin} of p * theta^(-2i/nRot) / freqFactors[i] for p < nPos, i < nRot/2
     * (ggml's rope cache); freqFactors may be null.
     */
    public static void ropeTable(MemorySegment table, int nPos, int nRot, float theta, MemorySegment freqFactors) {
        String p = nPos < 0 || nRot <= 0 || nRot % 2 != 0 ? "nRot must be even and > 0" : null;
        if (p == null) p = Check.floats("table", table, (long) nPos * nRot);
        if (p == null && freqFactors != null) p = Check.floats("freqFactors", freqFactors, nRot / 2);
        if (p != null) throw Check.fail(ropeTableCall(nPos, nRot, theta), p);
        MemorySegment ff = freqFactors != null ? freqFactors : MemorySegment.NULL;
        int st = panllama_h.pl_rope_table(table, table.byteSize() / Float.BYTES, nPos, nRot, theta, ff);
        if (st != 0) throw Check.failed(ropeTableCall(nPos, nRot, theta), st);
    }

    private static String ropeTableCall(int nPos, int nRot, float theta) {
        return "pl_rope_table(nPos=" + nPos + ", nRot=" + nRot + ", theta=" + theta + ")";
    }

    /** Bytes of one K (or V) buffer of a layer's cache; throws if kvType cannot hold headDim. */
    public static long kvCacheBytes(int kvType, int nKvHeads, int headDim, int maxCtx) {
        long b = panllama_h.pl_kv_cache_bytes(kvType, nKvHeads, headDim, maxCtx);
        if (b < 0) {
            throw new PanllamaException("pl_kv_cache_bytes(type=" + typeName(kvType) + ", nKvHeads=" + nKvHeads
                    + ", headDim=" + headDim + ", maxCtx=" + maxCtx + "): " + strerror((int) b)
                    + (kvType == Q8_0 ? " (Q8_0 needs headDim a multiple of 32)" : ""));
        }
        return b;
    }

    // ---- instruction-set paths ------------------------------------------------------------------

    /** The ISA path in use (ISA_*). */
    public static int isaActive() {
        return panllama_h.pl_isa_active();
    }

    /** "scalar", "avx2", "avx512", "neon". */
    public static String isaName(int isa) {
        return panllama_h.pl_isa_name(isa).reinterpret(64).getString(0);
    }

    /** Forces an ISA path for every context (tests, benchmarks); throws if this CPU lacks it. */
    public static void forceIsa(int isa) {
        int st = panllama_h.pl_isa_force(isa);
        if (st != 0) throw Check.failed("pl_isa_force(" + isaName(isa) + ")", st);
    }

    /** The best ISA this CPU supports. */
    public static int isaBest() {
        return panllama_h.pl_isa_for_features(panllama_h.pl_cpu_features());
    }

    static String strerror(int status) {
        return panllama_h.pl_strerror(status).reinterpret(256).getString(0);
    }
}
