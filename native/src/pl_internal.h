/*
 * pl_internal.h — what the library's own sources share: number conversions, ggml block
 * layouts, the per-ISA kernel table and the context (thread pool + scratch).
 */
#ifndef PL_INTERNAL_H
#define PL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "panllama.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PL_INTERNAL __attribute__((visibility("hidden")))

/* ---- half / bfloat16 conversions (ggml-compatible rounding: nearest even) ------------------ */
static inline uint32_t pl_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline float pl_bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline float pl_fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0) {
        /* zero or subnormal: mant * 2^-24 is exact in float */
        return pl_bits_f32(pl_f32_bits((float)mant * (1.0f / 16777216.0f)) | sign);
    }
    if (exp == 31) return pl_bits_f32(sign | 0x7f800000u | (mant << 13));
    return pl_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline uint16_t pl_fp32_to_fp16(float f) {
    uint32_t x = pl_f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu)); /* quiet NaN */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);                        /* rounds to inf */
    if (a < 0x38800000u) {
        /* half subnormal: adding 0.5f puts the 2^-24 unit in the float's last place, and the
         * FPU rounds to nearest even for us */
        uint32_t r = pl_f32_bits(pl_bits_f32(a) + 0.5f) - 0x3f000000u;
        return (uint16_t)(sign | r);
    }
    a += 0xc8000fffu + ((a >> 13) & 1u); /* rebias exponent by -112, round to nearest even */
    return (uint16_t)(sign | (a >> 13));
}

static inline float pl_bf16_to_fp32(uint16_t h) { return pl_bits_f32((uint32_t)h << 16); }

static inline uint16_t pl_fp32_to_bf16(float f) {
    uint32_t u = pl_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64u); /* quiet NaN */
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

/* Reads a little-endian half stored at any alignment (GGUF rows can sit at odd offsets). */
static inline float pl_load_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return pl_fp16_to_fp32(h);
}
static inline void pl_store_f16(uint8_t *p, float f) {
    uint16_t h = pl_fp32_to_fp16(f);
    memcpy(p, &h, 2);
}

/* f16 -> f32 for every half (ggml's x86 scalar path uses the same table): filled at first use */
PL_INTERNAL extern float pl_fp16_table[65536];
PL_INTERNAL void pl_fp16_table_init(void);

/* ---- ggml block layouts (bytes; halves are little-endian IEEE binary16) -------------------- */
#define PL_QK 32       /* elements per Q4_0/Q4_1/Q8_0/Q8_1 block */
#define PL_QK_K 256    /* elements per K-quant super-block */
#define PL_Q4_0_BYTES 18 /* d, qs[16]: element j = low nibble of qs[j], j+16 = high nibble */
#define PL_Q4_1_BYTES 20 /* d, m, qs[16] */
#define PL_Q5_0_BYTES 22 /* d, qh[4] (bit j: 5th bit of element j), qs[16] as Q4_0; code - 16 */
#define PL_Q5_1_BYTES 24 /* d, m, qh[4], qs[16]; x = d * code + m */
#define PL_Q8_0_BYTES 34 /* d, qs[32] int8 */
#define PL_Q8_1_BYTES 36 /* d, s = d * sum(qs), qs[32] */
#define PL_Q4_K_BYTES 144 /* d, dmin, scales[12] (6-bit packed), qs[128] */
#define PL_Q5_K_BYTES 176 /* d, dmin, scales[12] (as Q4_K), qh[32] (bit i of qh[l]: 5th bit of element 32i + l), qs[128] */
#define PL_Q6_K_BYTES 210 /* ql[128], qh[64], scales[16] int8, d */
#define PL_Q4_K_X8_BYTES 148 /* per row and super-block of a Q4_K_X8 panel: 8 of them make one panel block */
/* a Q4_K_X8 panel super-block (see panllama.h): where its parts start */
#define PL_K8_D 0       /* f16 d[8] */
#define PL_K8_DMIN 16   /* f16 dmin[8] */
#define PL_K8_SC 32     /* u8 scales [sub-block][row] */
#define PL_K8_MN 96     /* u8 mins [pair][row][2] */
#define PL_K8_CODES 160 /* 32 groups [chunk j][group h] of [row][4 bytes] */
#define PL_K8_BYTES (8 * PL_Q4_K_X8_BYTES)
/* a Q5_K_X8 panel super-block: Q4_K_X8's, then the rows' qh */
#define PL_Q5_K_X8_BYTES 180
#define PL_K5_QH PL_K8_BYTES /* 8 groups [group g] of [row][4 bytes] */
#define PL_K5_BYTES (8 * PL_Q5_K_X8_BYTES)
/* a Q6_K_X8 panel super-block (see panllama.h) */
#define PL_K6_D 0      /* f16 d[8] */
#define PL_K6_SC 16    /* int8 scales [sub-block][row] */
#define PL_K6_QL 144   /* 32 groups [chunk c][group g] of [row][4 bytes] */
#define PL_K6_QH 1168  /* 16 groups [chunk h][group g] of [row][4 bytes] */
#define PL_K6_BYTES (8 * PL_Q6_K_BYTES)
#define PL_Q8_K_BYTES 292 /* K-quant activations: f32 d, int8 qs[256], int16 bsums[16] (sums of 16 codes) */
/* a Q8_K block's sum of codes 32j .. 32j+31 (its bsums 2j and 2j+1) */
static inline int pl_q8k_sum32(const uint8_t *y, int j) {
    int16_t s[2];
    memcpy(s, y + 4 + PL_QK_K + 4 * j, 4);
    return s[0] + s[1];
}

/* Highest type id + 1: the kernel table is indexed by type id (ggml's, then the repacked layouts). */
#define PL_TYPE_SLOTS 71
#define PL_PANEL_ROWS 8 /* rows per panel of the repacked (*_X8) layouts */

typedef struct {
    int32_t block_elems;
    int32_t block_bytes; /* per row: a panel block of a repacked type is PL_PANEL_ROWS of them */
    const char *name;
    int32_t plain;       /* the row-major type a repacked layout interleaves; 0 for row-major types */
} pl_type_info;

/* NULL for an unknown type. */
PL_INTERNAL const pl_type_info *pl_type_get(int32_t type);

/* Scalar reference conversions, bit-exact with ggml's *_ref functions. n: a multiple of the block. */
PL_INTERNAL int pl_ref_quantize_row(int32_t type, const float *x, void *dst, int64_t n);
PL_INTERNAL int pl_ref_dequantize_row(int32_t type, const void *src, float *dst, int64_t n);
/* Q4_K / Q5_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed scale bytes q */
static inline void pl_q4k_scale_min(int j, const uint8_t *q, int *d, int *m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}
/* F32 -> ggml block_q8_K rows (k a multiple of 256), as ggml's quantize_row_q8_K (x86: the reference). */
PL_INTERNAL void pl_quantize_q8_k(const float *x, void *dst, int64_t k);

/* ---- the kernel table --------------------------------------------------------------------- */
/* Converts one F32 activation row of k elements into the format the weights pair with. */
typedef void (*pl_act_quant_fn)(const float *x, void *dst, int64_t k);
/*
 * y[t * ldy + r] = W[r] . A[t] for r < nr, t < nt. W rows are w_stride bytes apart, activation rows
 * a_stride bytes apart. Every output element must be computed by the same instruction sequence
 * whatever nr/nt are, so results never depend on tiling or thread count.
 */
typedef void (*pl_gemm_fn)(int64_t k, const uint8_t *w, int64_t w_stride, int32_t nr, const uint8_t *a,
                           int64_t a_stride, int32_t nt, float *y, int64_t ldy, void *scratch);

typedef struct {
    int32_t act_elems, act_bytes; /* an activation row takes act_bytes per act_elems elements */
    pl_act_quant_fn quantize_act;
    pl_gemm_fn gemv;              /* calls with n_tok == 1 (decode) */
    pl_gemm_fn gemm;              /* calls with n_tok > 1 (prefill); may use a different summation order */
    int32_t gemm_scratch;         /* per-thread scratch bytes gemm needs per act_elems elements of k */
} pl_mm_kernel;

typedef struct pl_kernels {
    int32_t isa;
    const char *variant;
    pl_mm_kernel mm[PL_TYPE_SLOTS]; /* gemm == NULL: no matmul for this weight type */
    int32_t repack_as[PL_TYPE_SLOTS]; /* the *_X8 layout this path multiplies faster than the type, 0 = none */
    void (*rmsnorm_row)(const float *x, const float *w, float *y, int64_t n, float eps);
    void (*softmax_row)(float *x, int64_t n);
    void (*swiglu)(const float *g, const float *u, float *y, int64_t n);
    void (*add)(const float *a, const float *b, float *y, int64_t n);
    /* rotates one head's first n_rot dims with cs = {cos, sin} pairs for this position */
    void (*rope_head)(float *x, const float *cs, int32_t n_rot, int32_t mode);
    /* Attention over n cache rows (k_r, v_r: row r of hd floats, or of hd halves when *_f16), for n_q
     * query rows at once (q_i = q + i * hd: the heads of a KV group share every row read):
     * scores: s[i * lds + r] = dot(q_i, k_r) * scale; each dot sums in one order whatever n_q, n and r,
     *         so a token scores the same alone (decode) or in a batch (prefill);
     * values: acc_i += sum_r w_i[r] * v_r, r ascending (acc_i = acc + i * hd, w_i = w + i * ldw). */
    void (*attn_scores)(const float *q, int32_t n_q, const void *k, int32_t k_f16, int32_t n, int32_t hd, float scale,
                        float *s, int64_t lds);
    void (*attn_values)(float *acc, int32_t n_q, const float *w, int64_t ldw, const void *v, int32_t v_f16, int32_t n,
                        int32_t hd);
    void (*axpy_f32)(float *y, float a, const float *x, int64_t n); /* y += a * x */
    void (*scale_f32)(float *y, float a, int64_t n);
    /* x[i] = exp(x[i] - sub), returns the sum of the results (in double on every path) */
    double (*exp_sub_sum)(float *x, float sub, int64_t n);
    void (*f16_to_f32)(const uint16_t *src, float *dst, int64_t n);
    void (*q8_0_to_f32)(const uint8_t *src, float *dst, int64_t n); /* n: multiple of 32 */
    void (*f32_to_f16)(const float *src, uint16_t *dst, int64_t n);
    void (*triad)(float *a, const float *b, const float *c, int64_t n, float s);
} pl_kernels;

/* The table in use (initialised on first call from CPUID and PANLLAMA_ISA). */
PL_INTERNAL const pl_kernels *pl_kernels_active(void);
/* The table of a given ISA for a feature mask (tests); NULL if the build lacks it. */
PL_INTERNAL const pl_kernels *pl_kernels_for(int32_t isa, int32_t features);

PL_INTERNAL void pl_kernels_fill_scalar(pl_kernels *k);
/* The scalar reference kernels of the repacked layouts (repack.c), for every table. */
PL_INTERNAL void pl_repack_install_scalar(pl_kernels *k);
#if defined(PL_HAVE_X86)
PL_INTERNAL int32_t pl_cpu_detect_x86(void);
PL_INTERNAL void pl_kernels_fill_avx2(pl_kernels *k);
/* the AVX2 attention kernels (x86/avx2_attention.c) */
PL_INTERNAL void pl_attention_install_avx2(pl_kernels *k);
PL_INTERNAL void pl_kernels_fill_avx512(pl_kernels *k, int vnni);
#endif
#if defined(PL_HAVE_NEON)
PL_INTERNAL int32_t pl_cpu_detect_arm(void);
/* the NEON table (arm/neon_kernels.c); dotprod: the SDOT variant (arm/dotprod_*.c, CPUs with it only) */
PL_INTERNAL void pl_kernels_fill_neon(pl_kernels *k, int dotprod);
#endif

/* Bytes of one activation row of k elements for a matmul kernel (rounded up to 64). */
PL_INTERNAL int64_t pl_act_row_bytes(const pl_mm_kernel *mk, int64_t k);

/* Scalar helpers other ISAs reuse for tails. */
PL_INTERNAL float pl_silu(float x);

/* ---- context: thread pool + scratch --------------------------------------------------------- */
typedef void (*pl_task_fn)(int32_t ith, int32_t nth, void *arg);

/*
 * Runs fn on the caller (ith 0) and on every worker that joins while the caller is still working
 * (ith 1..nth-1, each at most once); returns when all who joined are done. fn must therefore claim
 * its work dynamically (atomic counters) so that any subset of threads completes it, and must not
 * wait for other threads except for work they have already claimed.
 */
PL_INTERNAL void pl_pool_run(pl_ctx *ctx, pl_task_fn fn, void *arg);
/* Waits (spinning, then yielding) until *counter >= target: work claimed by running threads. */
PL_INTERNAL void pl_pool_wait_count(_Atomic long long *counter, int64_t target);
/* Makes the shared scratch >= shared bytes and each thread's scratch >= per_thread bytes. */
PL_INTERNAL int pl_ctx_reserve(pl_ctx *ctx, int64_t shared, int64_t per_thread);
PL_INTERNAL void *pl_ctx_shared_scratch(pl_ctx *ctx);
PL_INTERNAL void *pl_ctx_thread_scratch(pl_ctx *ctx, int32_t ith);

#ifdef __cplusplus
}
#endif

#endif /* PL_INTERNAL_H */
