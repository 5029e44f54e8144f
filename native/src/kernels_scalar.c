/*
 * The scalar kernel table: the reference every SIMD path is tested against, and the path used
 * on CPUs without one. Dot products follow ggml's scalar vec_dot (integer block sums scaled by
 * the two block scales); float dot products accumulate in double.
 */
#include <math.h>

#include "pl_internal.h"

/* ---- activation converters ----------------------------------------------------------------- */
static void act_q8_0(const float *x, void *dst, int64_t k) { pl_ref_quantize_row(PL_TYPE_Q8_0, x, dst, k); }
static void act_q8_1(const float *x, void *dst, int64_t k) { pl_ref_quantize_row(PL_TYPE_Q8_1, x, dst, k); }
static void act_f32(const float *x, void *dst, int64_t k) { memcpy(dst, x, (size_t)k * 4); }
/* F16 / BF16 weights pair with activations rounded to that type (kept as floats for speed). */
static void act_f16(const float *x, void *dst, int64_t k) {
    float *y = (float *)dst;
    for (int64_t i = 0; i < k; i++) y[i] = pl_fp16_to_fp32(pl_fp32_to_fp16(x[i]));
}
static void act_bf16(const float *x, void *dst, int64_t k) {
    float *y = (float *)dst;
    for (int64_t i = 0; i < k; i++) y[i] = pl_bf16_to_fp32(pl_fp32_to_bf16(x[i]));
}

int64_t pl_act_row_bytes(const pl_mm_kernel *mk, int64_t k) {
    const int64_t b = k / mk->act_elems * mk->act_bytes;
    return (b + 63) & ~(int64_t)63;
}

/* ---- dot products ---------------------------------------------------------------------------- */
static float dot_q4_0_q8_0(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_Q4_0_BYTES, y += PL_Q8_0_BYTES) {
        int sumi = 0;
        for (int j = 0; j < 16; j++) {
            sumi += ((x[2 + j] & 0xF) - 8) * (int8_t)y[2 + j];
            sumi += ((x[2 + j] >> 4) - 8) * (int8_t)y[2 + j + 16];
        }
        sum += (float)sumi * (pl_load_f16(x) * pl_load_f16(y));
    }
    return sum;
}

static float dot_q4_1_q8_1(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_Q4_1_BYTES, y += PL_Q8_1_BYTES) {
        int sumi = 0;
        for (int j = 0; j < 16; j++) {
            sumi += (x[4 + j] & 0xF) * (int8_t)y[4 + j];
            sumi += (x[4 + j] >> 4) * (int8_t)y[4 + j + 16];
        }
        sum += (pl_load_f16(x) * pl_load_f16(y)) * (float)sumi + pl_load_f16(x + 2) * pl_load_f16(y + 2);
    }
    return sum;
}

/* Q5_0 / Q5_1: the 5-bit code of element j is its nibble plus bit j of qh times 16. */
static int q5_code(const uint8_t *qs, uint32_t qh, int j) {
    const int nib = j < 16 ? qs[j] & 0xF : qs[j - 16] >> 4;
    return nib | (int)(((qh >> j) & 1u) << 4);
}

static float dot_q5_0_q8_0(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_Q5_0_BYTES, y += PL_Q8_0_BYTES) {
        uint32_t qh;
        memcpy(&qh, x + 2, 4);
        int sumi = 0;
        for (int j = 0; j < PL_QK; j++) sumi += (q5_code(x + 6, qh, j) - 16) * (int8_t)y[2 + j];
        sum += (float)sumi * (pl_load_f16(x) * pl_load_f16(y));
    }
    return sum;
}

static float dot_q5_1_q8_1(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_Q5_1_BYTES, y += PL_Q8_1_BYTES) {
        uint32_t qh;
        memcpy(&qh, x + 4, 4);
        int sumi = 0;
        for (int j = 0; j < PL_QK; j++) sumi += q5_code(x + 8, qh, j) * (int8_t)y[4 + j];
        sum += (pl_load_f16(x) * pl_load_f16(y)) * (float)sumi + pl_load_f16(x + 2) * pl_load_f16(y + 2);
    }
    return sum;
}

static float dot_q8_0_q8_0(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_Q8_0_BYTES, y += PL_Q8_0_BYTES) {
        int sumi = 0;
        for (int j = 0; j < PL_QK; j++) sumi += (int8_t)x[2 + j] * (int8_t)y[2 + j];
        sum += (float)sumi * (pl_load_f16(x) * pl_load_f16(y));
    }
    return sum;
}

/* K-quants x Q8_K: exact integer sums per 256-element super-block, scaled once per super-block.
 * Q4_K and Q5_K share their layout but for Q5_K's 32 bytes of fifth bits (qh) before the nibbles. */
static float dot_q45_k_q8_k(int64_t k, const uint8_t *x, const uint8_t *y, int five_bits) {
    const int64_t block = five_bits ? PL_Q5_K_BYTES : PL_Q4_K_BYTES;
    const int qs_at = five_bits ? 48 : 16;
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK_K; b++, x += block, y += PL_Q8_K_BYTES) {
        float yd;
        memcpy(&yd, y, 4);
        const int8_t *a = (const int8_t *)(y + 4);
        int sumi = 0, summ = 0;
        for (int j = 0; j < 8; j++) {
            const uint8_t *q = x + qs_at + 32 * (j / 2), *qh = x + 16;
            const int shift = 4 * (j % 2);
            int s = 0;
            for (int l = 0; l < 32; l++) {
                const int hi = five_bits ? ((qh[l] >> j) & 1) << 4 : 0;
                s += (((q[l] >> shift) & 0xF) | hi) * a[32 * j + l];
            }
            int sc, mn;
            pl_q4k_scale_min(j, x + 4, &sc, &mn);
            sumi += sc * s;
            summ += mn * pl_q8k_sum32(y, j);
        }
        sum += yd * pl_load_f16(x) * (float)sumi - yd * pl_load_f16(x + 2) * (float)summ;
    }
    return sum;
}

static float dot_q4_k_q8_k(int64_t k, const uint8_t *x, const uint8_t *y) { return dot_q45_k_q8_k(k, x, y, 0); }
static float dot_q5_k_q8_k(int64_t k, const uint8_t *x, const uint8_t *y) { return dot_q45_k_q8_k(k, x, y, 1); }

static float dot_q6_k_q8_k(int64_t k, const uint8_t *x, const uint8_t *y) {
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK_K; b++, x += PL_Q6_K_BYTES, y += PL_Q8_K_BYTES) {
        float yd;
        memcpy(&yd, y, 4);
        const int8_t *a = (const int8_t *)(y + 4);
        const int8_t *sc = (const int8_t *)(x + 192);
        int sumi = 0;
        for (int i = 0; i < PL_QK_K; i += 16) {
            /* element i + l: half h = i / 128, quarter n = (i % 128) / 32, position p = i % 32 + l */
            const int h = i / 128, n = (i % 128) / 32;
            int s = 0;
            for (int l = 0; l < 16; l++) {
                const int p = i % 32 + l;
                const int lo = (x[64 * h + 32 * (n & 1) + p] >> (4 * (n >> 1))) & 0xF;
                const int hi = (x[128 + 32 * h + p] >> (2 * n)) & 3;
                s += ((lo | (hi << 4)) - 32) * a[i + l];
            }
            sumi += sc[i / 16] * s;
        }
        sum += yd * pl_load_f16(x + 208) * (float)sumi;
    }
    return sum;
}

static float dot_f32_f32(int64_t k, const uint8_t *x, const uint8_t *y) {
    double sum = 0.0;
    const float *a = (const float *)x, *b = (const float *)y;
    for (int64_t i = 0; i < k; i++) sum += (double)a[i] * (double)b[i];
    return (float)sum;
}

static float dot_f16_f32(int64_t k, const uint8_t *x, const uint8_t *y) {
    double sum = 0.0;
    const float *b = (const float *)y;
    for (int64_t i = 0; i < k; i++) sum += (double)pl_load_f16(x + 2 * i) * (double)b[i];
    return (float)sum;
}

static float dot_bf16_f32(int64_t k, const uint8_t *x, const uint8_t *y) {
    double sum = 0.0;
    const float *b = (const float *)y;
    for (int64_t i = 0; i < k; i++) {
        uint16_t h;
        memcpy(&h, x + 2 * i, 2);
        sum += (double)pl_bf16_to_fp32(h) * (double)b[i];
    }
    return (float)sum;
}

#define SCALAR_GEMM(name, dot)                                                                           \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,    \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        for (int32_t t = 0; t < nt; t++)                                                                  \
            for (int32_t r = 0; r < nr; r++) y[t * ldy + r] = dot(k, w + r * ws, a + t * as);             \
        (void)scratch;                                                                                    \
    }
SCALAR_GEMM(gemm_q4_0, dot_q4_0_q8_0)
SCALAR_GEMM(gemm_q4_1, dot_q4_1_q8_1)
SCALAR_GEMM(gemm_q5_0, dot_q5_0_q8_0)
SCALAR_GEMM(gemm_q5_1, dot_q5_1_q8_1)
SCALAR_GEMM(gemm_q8_0, dot_q8_0_q8_0)
SCALAR_GEMM(gemm_q4_k, dot_q4_k_q8_k)
SCALAR_GEMM(gemm_q5_k, dot_q5_k_q8_k)
SCALAR_GEMM(gemm_q6_k, dot_q6_k_q8_k)
SCALAR_GEMM(gemm_f32, dot_f32_f32)
SCALAR_GEMM(gemm_f16, dot_f16_f32)
SCALAR_GEMM(gemm_bf16, dot_bf16_f32)

/* ---- row and element-wise ops ---------------------------------------------------------------- */
float pl_silu(float x) { return x / (1.0f + expf(-x)); }

/* As ggml: sum of float squares in double, scale = 1/sqrtf(mean + eps), then (x * scale) * w. */
static void rmsnorm_row(const float *x, const float *w, float *y, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

static double exp_sub_sum(float *x, float sub, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - sub);
        sum += (double)x[i];
    }
    return sum;
}

static void softmax_row(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = fmaxf(max, x[i]);
    const float inv = (float)(1.0 / exp_sub_sum(x, max, n));
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

static void swiglu(const float *g, const float *u, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = pl_silu(g[i]) * u[i];
}

static void add(const float *a, const float *b, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

static void rope_head(float *x, const float *cs, int32_t n_rot, int32_t mode) {
    const int32_t half = n_rot / 2;
    for (int32_t i = 0; i < half; i++) {
        const float c = cs[2 * i], s = cs[2 * i + 1];
        float *p0 = mode == PL_ROPE_NEOX ? x + i : x + 2 * i;
        float *p1 = mode == PL_ROPE_NEOX ? x + i + half : x + 2 * i + 1;
        const float x0 = *p0, x1 = *p1;
        *p0 = x0 * c - x1 * s;
        *p1 = x0 * s + x1 * c;
    }
}

/* element d of row r of attention cache rows (F32, or F16 when f16) */
static float kv_at(const void *rows, int32_t f16, int32_t hd, int32_t r, int32_t d) {
    const int64_t i = (int64_t)r * hd + d;
    return f16 ? pl_fp16_to_fp32(((const uint16_t *)rows)[i]) : ((const float *)rows)[i];
}

static void attn_scores(const float *q, int32_t n_q, const void *k, int32_t k_f16, int32_t n, int32_t hd, float scale,
                        float *s, int64_t lds) {
    for (int32_t i = 0; i < n_q; i++)
        for (int32_t r = 0; r < n; r++) {
            float sum = 0.0f;
            for (int32_t d = 0; d < hd; d++) sum += q[(int64_t)i * hd + d] * kv_at(k, k_f16, hd, r, d);
            s[i * lds + r] = sum * scale;
        }
}

static void attn_values(float *acc, int32_t n_q, const float *w, int64_t ldw, const void *v, int32_t v_f16, int32_t n,
                        int32_t hd) {
    for (int32_t i = 0; i < n_q; i++)
        for (int32_t r = 0; r < n; r++)
            for (int32_t d = 0; d < hd; d++) acc[(int64_t)i * hd + d] += w[i * ldw + r] * kv_at(v, v_f16, hd, r, d);
}

static void axpy_f32(float *y, float a, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

static void scale_f32(float *y, float a, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] *= a;
}

static void f16_to_f32(const uint16_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = pl_fp16_to_fp32(src[i]);
}

static void q8_0_to_f32(const uint8_t *src, float *dst, int64_t n) { pl_ref_dequantize_row(PL_TYPE_Q8_0, src, dst, n); }

static void f32_to_f16(const float *src, uint16_t *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = pl_fp32_to_fp16(src[i]);
}

static void triad(float *a, const float *b, const float *c, int64_t n, float s) {
    for (int64_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

void pl_kernels_fill_scalar(pl_kernels *k) {
    memset(k, 0, sizeof(*k));
    k->isa = PL_ISA_SCALAR;
    k->variant = "scalar";
    k->mm[PL_TYPE_Q4_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemm_q4_0, gemm_q4_0, 0};
    k->mm[PL_TYPE_Q4_1] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemm_q4_1, gemm_q4_1, 0};
    k->mm[PL_TYPE_Q5_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemm_q5_0, gemm_q5_0, 0};
    k->mm[PL_TYPE_Q5_1] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemm_q5_1, gemm_q5_1, 0};
    k->mm[PL_TYPE_Q8_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemm_q8_0, gemm_q8_0, 0};
    k->mm[PL_TYPE_Q4_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q4_k, gemm_q4_k, 0};
    k->mm[PL_TYPE_Q5_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q5_k, gemm_q5_k, 0};
    k->mm[PL_TYPE_Q6_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q6_k, gemm_q6_k, 0};
    k->mm[PL_TYPE_F32] = (pl_mm_kernel){1, 4, act_f32, gemm_f32, gemm_f32, 0};
    k->mm[PL_TYPE_F16] = (pl_mm_kernel){1, 4, act_f16, gemm_f16, gemm_f16, 0};
    k->mm[PL_TYPE_BF16] = (pl_mm_kernel){1, 4, act_bf16, gemm_bf16, gemm_bf16, 0};
    pl_repack_install_scalar(k);
    k->rmsnorm_row = rmsnorm_row;
    k->softmax_row = softmax_row;
    k->swiglu = swiglu;
    k->add = add;
    k->rope_head = rope_head;
    k->attn_scores = attn_scores;
    k->attn_values = attn_values;
    k->axpy_f32 = axpy_f32;
    k->scale_f32 = scale_f32;
    k->exp_sub_sum = exp_sub_sum;
    k->f16_to_f32 = f16_to_f32;
    k->f32_to_f16 = f32_to_f16;
    k->q8_0_to_f32 = q8_0_to_f32;
    k->triad = triad;
}
