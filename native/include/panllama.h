/*
 * panllama.h — the one public C API of libpanllama.
 *
 * jextract reads this header to generate the Java bindings (bindings/), so it is written to be
 * valid on Linux, Windows and macOS with ONE generated set:
 *   - 32-bit integers are int32_t, 64-bit integers are pl_i64 (long long everywhere);
 *     never long, size_t or int64_t (which are `long` on Linux and 32-bit `long` differs on Windows);
 *   - no enums in signatures: type and ISA ids are int32_t with #define'd values;
 *   - every pointer comes with the size of what it points to, checked before it is touched.
 *
 * Conventions: functions return a status (PL_OK = 0, negative = error; pl_strerror names it)
 * unless they return a value that cannot fail. Matrices are row-major. Quantized rows follow
 * the GGUF/ggml block layouts bit for bit.
 *
 * Threading: a pl_ctx owns a persistent thread pool and a scratch buffer. A context must not be
 * used from two threads at once; use one context per session. Results never depend on the
 * number of threads.
 */
#ifndef PANLLAMA_H
#define PANLLAMA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(PANLLAMA_BUILD)
#define PL_API __declspec(dllexport)
#elif defined(__GNUC__)
#define PL_API __attribute__((visibility("default")))
#else
#define PL_API
#endif

/** 64-bit signed integer, the same width on every platform. */
typedef long long pl_i64;

/* ---- status codes ----------------------------------------------------------------------- */
#define PL_OK 0
#define PL_ERR_ARG (-1)     /* an argument is out of range or inconsistent */
#define PL_ERR_TYPE (-2)    /* unknown or unsupported tensor type for this operation */
#define PL_ERR_SIZE (-3)    /* a buffer is smaller than the sizes say it must be */
#define PL_ERR_NOMEM (-4)   /* allocation failed */
#define PL_ERR_ISA (-5)     /* the requested instruction set is not available on this CPU */
#define PL_ERR_NULL (-6)    /* a required pointer is NULL */

/* ---- tensor types: the ggml type ids, so GGUF tensor infos map one to one ---------------- */
#define PL_TYPE_F32 0
#define PL_TYPE_F16 1
#define PL_TYPE_Q4_0 2
#define PL_TYPE_Q4_1 3
#define PL_TYPE_Q5_0 6
#define PL_TYPE_Q5_1 7
#define PL_TYPE_Q8_0 8
#define PL_TYPE_Q8_1 9
#define PL_TYPE_Q4_K 12
#define PL_TYPE_Q5_K 13
#define PL_TYPE_Q6_K 14
#define PL_TYPE_BF16 30

/* ---- CPU features (bit mask) and instruction-set paths ----------------------------------- */
#define PL_CPU_AVX2 (1 << 0)
#define PL_CPU_FMA (1 << 1)
#define PL_CPU_F16C (1 << 2)
#define PL_CPU_AVX512F (1 << 3)
#define PL_CPU_AVX512BW (1 << 4)
#define PL_CPU_AVX512VL (1 << 5)
#define PL_CPU_AVX512VNNI (1 << 6)
#define PL_CPU_NEON (1 << 7)
#define PL_CPU_DOTPROD (1 << 8)

#define PL_ISA_SCALAR 0
#define PL_ISA_AVX2 1   /* AVX2 + FMA + F16C */
#define PL_ISA_AVX512 2 /* AVX-512 F/BW/VL, VNNI used when present */
#define PL_ISA_NEON 3

/* RoPE layouts */
#define PL_ROPE_NORMAL 0 /* rotate adjacent pairs (x[2i], x[2i+1]) — llama */
#define PL_ROPE_NEOX 1   /* rotate halves (x[i], x[i + n_rot/2]) — neox, qwen2 */

/* ---- library ------------------------------------------------------------------------------ */
/** Version string, e.g. "0.1.0". */
PL_API const char *pl_version(void);
/** How the library was built: compiler, flags, target. */
PL_API const char *pl_build_info(void);
/** Human-readable name of a status code. */
PL_API const char *pl_strerror(int32_t status);

/** CPU features found on this machine (PL_CPU_* bits). */
PL_API int32_t pl_cpu_features(void);
/** The best ISA path for a feature mask (pure: used by tests with injected masks). */
PL_API int32_t pl_isa_for_features(int32_t features);
/** The ISA path in use (chosen at load time from CPUID, or forced). */
PL_API int32_t pl_isa_active(void);
/** Forces an ISA path; PL_ERR_ISA if this CPU lacks it. Affects all contexts. */
PL_API int32_t pl_isa_force(int32_t isa);
/** "scalar", "avx2", "avx512", "neon", or "unknown". */
PL_API const char *pl_isa_name(int32_t isa);

/* ---- context: thread pool + scratch ------------------------------------------------------ */
typedef struct pl_ctx pl_ctx;
/** Creates a context with n_threads workers (the calling thread counts as one). NULL on failure. */
PL_API pl_ctx *pl_ctx_create(int32_t n_threads);
/** Stops the workers and frees the context. NULL is ignored. */
PL_API void pl_ctx_destroy(pl_ctx *ctx);
/** The number of threads the context computes with. */
PL_API int32_t pl_ctx_n_threads(const pl_ctx *ctx);

/* ---- tensor types --------------------------------------------------------------------------- */
/** Elements per block (1 for float types), 0 for an unknown type. */
PL_API int32_t pl_type_block_elems(int32_t type);
/** Bytes per block, 0 for an unknown type. */
PL_API int32_t pl_type_block_bytes(int32_t type);
/** Bytes of a row of n elements; negative status if the type is unknown or n is not a multiple of the block. */
PL_API pl_i64 pl_type_row_bytes(int32_t type, pl_i64 n);
/** "f32", "q4_0", ... or NULL for an unknown type. */
PL_API const char *pl_type_name(int32_t type);

/** Converts n elements of `type` (src_bytes long) into F32. n must be a multiple of the block. */
PL_API int32_t pl_dequantize(int32_t type, const void *src, pl_i64 src_bytes, float *dst, pl_i64 n);
/** Converts n F32 elements into `type` (dst_bytes long), with ggml's reference rounding. */
PL_API int32_t pl_quantize(int32_t type, const float *src, pl_i64 n, void *dst, pl_i64 dst_bytes);
/** Embedding lookup: dst[i] = row ids[i] of a table of n_rows rows of row_len elements. Ids are checked. */
PL_API int32_t pl_get_rows(int32_t type, const void *table, pl_i64 table_bytes, pl_i64 n_rows, pl_i64 row_len,
                           const int32_t *ids, int32_t n_ids, float *dst);

/* ---- repacked weights ------------------------------------------------------------------------ */
/*
 * Interleaved copies of weight matrices that the SIMD paths read faster (never found in files).
 * A repacked matrix takes its rows 8 at a time (a panel; the last one is padded with zero rows) and
 * stores each panel's blocks in order; one block of a panel holds the 8 rows' f16 scales d[8] (Q4_1:
 * then their f16 mins m[8]), then 4 groups of 32 bytes, group h = bytes 4h..4h+3 of each row's
 * qs[16], row after row. Matrix-vector products then keep one output row per SIMD lane and read one
 * linear stream, and decode computes exactly what prefill does (integer block sums, scaled by the
 * two block scales, fused-multiply-added block after block: ggml's repacked x86 arithmetic).
 * pl_matmul takes these types as wtype; pl_dequantize and pl_get_rows do not.
 */
#define PL_TYPE_Q4_0_X8 64 /* Q4_0 rows interleaved by 8 */
#define PL_TYPE_Q4_1_X8 65 /* Q4_1 rows interleaved by 8 */
/* Q5_0 / Q5_1 rows interleaved by 8: as Q4_0_X8 / Q4_1_X8 with the rows' 32-bit qh[8] between the
 * scales and the code groups */
#define PL_TYPE_Q5_0_X8 69
#define PL_TYPE_Q5_1_X8 70
/*
 * Q4_K rows interleaved by 8: per super-block of a panel, the 8 rows' f16 d[8] and dmin[8], their 6-bit
 * scales unpacked to bytes sc[8 sub-blocks][8 rows], their mins as byte pairs mn[4][8 rows][2] (sub-blocks
 * 2p, 2p+1), then 32 groups of 32 bytes: group 8j + h = bytes 4h..4h+3 of each row's qs[32j..32j+31]
 * (1184 bytes: 148 per row, 4 more than Q4_K).
 */
#define PL_TYPE_Q4_K_X8 66
/* Q5_K rows interleaved by 8: Q4_K_X8's 1184 bytes per super-block of a panel (qs as Q4_K's codes), then
 * 8 groups of 32 bytes of qh (group g = bytes 4g..4g+3 of each row's qh[32]) (1440 bytes: 180 per row). */
#define PL_TYPE_Q5_K_X8 68
/*
 * Q6_K rows interleaved by 8: per super-block of a panel, the 8 rows' f16 d[8], their int8 scales
 * sc[16 sub-blocks][8 rows], 32 groups of 32 bytes of ql (group 8c + g = bytes 4g..4g+3 of each row's
 * ql[32c..32c+31]), then 16 groups of qh (group 8h + g = bytes 4g..4g+3 of each row's qh[32h..32h+31])
 * (1680 bytes: 210 per row, as Q6_K).
 */
#define PL_TYPE_Q6_K_X8 67

/** The layout the active kernel path multiplies fastest for weights of `type`: a PL_TYPE_*_X8, or `type`. */
PL_API int32_t pl_repack_type(int32_t type);
/** Bytes of a rows x k matrix of `type` (repacked types: rows rounded up to 8); negative status on bad input. */
PL_API pl_i64 pl_matrix_bytes(int32_t type, pl_i64 rows, pl_i64 k);
/**
 * Copies a rows x k matrix of `type` (src_bytes long) into layout `to` (pl_repack_type(type), or any
 * *_X8 layout of type) at dst (dst_bytes >= pl_matrix_bytes(to, rows, k)). `to` == `type` copies.
 */
PL_API int32_t pl_repack(int32_t type, const void *src, pl_i64 src_bytes, pl_i64 rows, pl_i64 k, int32_t to, void *dst,
                         pl_i64 dst_bytes);

/** bytes of memory for weight copies, 64-byte aligned, uninitialized; NULL on failure or bytes <= 0. */
PL_API void *pl_alloc(pl_i64 bytes);
/** Frees memory from pl_alloc (NULL is ignored). */
PL_API void pl_free(void *p);

/* ---- matrix multiplication ------------------------------------------------------------------ */
/**
 * y[t][r] = sum_j W[r][j] * x[t][j] for t < n_tok, r < rows, j < k.
 * W: rows x k of wtype (w_bytes >= pl_matrix_bytes(wtype, rows, k)); x: n_tok x k F32; y: n_tok x rows F32.
 * Activations are quantized once per call to the type ggml pairs with wtype (Q8_0 for Q4_0/Q8_0,
 * Q8_1 for Q4_1, F16 for F16, BF16 for BF16). n_tok == 1 is a matrix-vector product (decode);
 * n_tok > 1 runs a tiled GEMM (prefill).
 */
PL_API int32_t pl_matmul(pl_ctx *ctx, int32_t wtype, const void *w, pl_i64 w_bytes, pl_i64 rows, pl_i64 k,
                         const float *x, int32_t n_tok, float *y);
/**
 * The SwiGLU FFN's first half in one call: y[t][r] = silu(Wg[r]·x[t]) * (Wu[r]·x[t]).
 * Both matrices have the same type and shape (rows x k); x is quantized once.
 */
PL_API int32_t pl_matmul_swiglu(pl_ctx *ctx, int32_t wtype, const void *w_gate, const void *w_up, pl_i64 w_bytes,
                                pl_i64 rows, pl_i64 k, const float *x, int32_t n_tok, float *y);

/* ---- element-wise and row ops (F32) --------------------------------------------------------- */
/** y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, for n_rows rows of n elements (y may alias x). */
PL_API int32_t pl_rmsnorm(pl_ctx *ctx, const float *x, const float *w, float *y, pl_i64 n, int32_t n_rows, float eps);
/** y = a + b over n elements (y may alias a or b). */
PL_API int32_t pl_add(pl_ctx *ctx, const float *a, const float *b, float *y, pl_i64 n);
/** y = silu(gate) * up over n elements (y may alias gate or up). */
PL_API int32_t pl_swiglu(pl_ctx *ctx, const float *gate, const float *up, float *y, pl_i64 n);
/** In-place numerically stable softmax of n_rows rows of n elements. */
PL_API int32_t pl_softmax(float *x, pl_i64 n, int32_t n_rows);

/* ---- rotary embeddings ---------------------------------------------------------------------- */
/**
 * Fills a cos/sin table for positions [0, n_pos): table[(p * n_rot/2 + i) * 2 + {0,1}] = {cos, sin}
 * of p * theta^(-2i/n_rot) / freq_factors[i] (freq_factors: n_rot/2 floats, or NULL for none —
 * llama3-style scaling passes its factors here). table_floats must be >= n_pos * n_rot.
 */
PL_API int32_t pl_rope_table(float *table, pl_i64 table_floats, int32_t n_pos, int32_t n_rot, float theta,
                             const float *freq_factors);
/**
 * Rotates the first n_rot dims of each head, in place. x: n_tok x n_heads x head_dim F32;
 * pos[t] is token t's position (< table_pos, the positions in the table). mode: PL_ROPE_*.
 */
PL_API int32_t pl_rope(pl_ctx *ctx, float *x, int32_t n_tok, int32_t n_heads, int32_t head_dim, int32_t n_rot,
                       const int32_t *pos, const float *table, int32_t table_pos, int32_t mode);

/* ---- attention over a KV cache ------------------------------------------------------------- */
/**
 * One layer's cache is two buffers (K and V), each laid out [n_kv_heads][max_ctx][head_dim] of
 * kv_type (PL_TYPE_F16, PL_TYPE_Q8_0 or PL_TYPE_F32), cache_bytes long each. A type that cannot
 * hold head_dim (Q8_0 needs a multiple of 32) is PL_ERR_ARG. Bytes of one buffer:
 */
PL_API pl_i64 pl_kv_cache_bytes(int32_t kv_type, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx);
/**
 * Converts n_tok new rows of K and V (F32, n_tok x n_kv_heads*head_dim) into the cache at
 * positions [pos0, pos0 + n_tok).
 */
PL_API int32_t pl_kv_store(pl_ctx *ctx, int32_t kv_type, void *k_cache, void *v_cache, pl_i64 cache_bytes,
                           int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, int32_t pos0,
                           const float *k, const float *v, int32_t n_tok);
/**
 * Causal attention for n_tok query tokens at positions [pos0, pos0 + n_tok): token t attends to
 * cache rows [0, pos0 + t]. q: n_tok x n_heads*head_dim F32; out: same shape. Query head h reads
 * KV head h / (n_heads / n_kv_heads) (MHA, GQA, MQA); each KV head is read once per group.
 */
PL_API int32_t pl_attention(pl_ctx *ctx, int32_t kv_type, const void *k_cache, const void *v_cache,
                            pl_i64 cache_bytes, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx,
                            const float *q, int32_t n_heads, int32_t n_tok, int32_t pos0, float scale, float *out);

/* ---- benchmarks ------------------------------------------------------------------------------ */
/** STREAM triad a = b + s*c over n floats, split across the context's threads. */
PL_API int32_t pl_bench_triad(pl_ctx *ctx, float *a, const float *b, const float *c, pl_i64 n, float s);

#ifdef __cplusplus
}
#endif

#endif /* PANLLAMA_H */
