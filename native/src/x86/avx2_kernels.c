/*
 * AVX2 + FMA + F16C kernels: the quantized matmul tiles come from q8_tiles.h (shared with AVX-512);
 * float-weight matmul (ggml's vec_dot arithmetic), exp/SwiGLU/softmax, RMSNorm and the attention
 * helpers are here. Every output gets the same arithmetic whatever the tile shape (and whatever the
 * thread count).
 */
#include <immintrin.h>
#include <math.h>

#include "pl_internal.h"

/* the quantized kernels (shared with the AVX-512 file) */
#define PL_VNNI 0
#ifndef PL_DEC_RM
#define PL_DEC_RM 8 /* rows per decode tile: 8 independent streams measured fastest (Q4_0 +20%) */
#endif
#define PL_GEMM_PTN 4 /* tokens per panel tile */
#include "q8_tiles.h"
#ifndef PL_KQ_RM
#define PL_KQ_RM 1 /* K-quant rows per group: one sequential stream per row measured fastest (vs 2, 4, 8) */
#endif
#define PL_KQ_PTN 4 /* tokens per K-quant panel tile */
#include "kq_tiles.h"

AI float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

static void act_f32(const float *x, void *dst, int64_t k) { memcpy(dst, x, (size_t)k * 4); }

static void act_f16(const float *x, void *dst, int64_t k) {
    float *y = (float *)dst;
    int64_t i = 0;
    for (; i + 8 <= k; i += 8)
        _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < k; i++) y[i] = _cvtsh_ss((unsigned short)_cvtss_sh(x[i], 0));
}

static void act_bf16(const float *x, void *dst, int64_t k) {
    float *y = (float *)dst;
    for (int64_t i = 0; i < k; i++) y[i] = pl_bf16_to_fp32(pl_fp32_to_bf16(x[i]));
}

/* ---- tiles: RM weight rows x TN tokens, one accumulator per output --------------------------- */

/* Float weights (0 F32, 1 F16, 2 BF16) x F32 activations (already rounded to the weight type). */
AI __m256 load8(int kind, const uint8_t *p) {
    if (kind == 0) return _mm256_loadu_ps((const float *)(const void *)p);
    const __m128i h = _mm_loadu_si128((const __m128i *)(const void *)p);
    if (kind == 1) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

AI float load1(int kind, const uint8_t *p) {
    if (kind == 0) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    uint16_t h;
    memcpy(&h, p, 2);
    return kind == 1 ? _cvtsh_ss(h) : pl_bf16_to_fp32(h);
}


static void scale_f32(float *y, float a, int64_t n);

/* ---- exp, silu, softmax ------------------------------------------------------------------------ */
/*
 * exp(x) for 8 floats: x = n ln2 + r with |r| <= ln2/2 (two-part ln2, FMA), exp(r) by its Taylor
 * series to r^7 (truncation < 1e-9 relative; ~1 ulp from rounding), scaled by 2^n through the
 * exponent bits. x < -87.3 gives 0 and x > 88.7 gives inf, as expf's range.
 */
AI __m256 exp8(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.7228f), lo = _mm256_set1_ps(-87.3365f);
    const __m256 over = _mm256_cmp_ps(x, hi, _CMP_GT_OQ), under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145752f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860677e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    /* 2^n in two halves so that n = -126..128 never builds a denormal or infinite scale too early */
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i h1 = _mm256_srai_epi32(ni, 1), h2 = _mm256_sub_epi32(ni, h1);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h1, _mm256_set1_epi32(127)), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h2, _mm256_set1_epi32(127)), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), over);
    return _mm256_andnot_ps(under, y);
}

static double exp_sub_sum(float *x, float sub, int64_t n) {
    const __m256 sv = _mm256_set1_ps(sub);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sv));
        _mm256_storeu_ps(x + i, e);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    if (i < n) { /* padded tail: every element through exp8 */
        float t[8] = {0};
        memcpy(t, x + i, (size_t)(n - i) * 4);
        _mm256_storeu_ps(t, exp8(_mm256_sub_ps(_mm256_loadu_ps(t), sv)));
        memcpy(x + i, t, (size_t)(n - i) * 4);
        for (; i < n; i++) sum += (double)x[i];
    }
    return sum;
}

static void softmax_row(float *x, int64_t n) {
    __m256 m8 = _mm256_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) m8 = _mm256_max_ps(m8, _mm256_loadu_ps(x + i));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m8, 1), _mm256_castps256_ps128(m8));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float max = _mm_cvtss_f32(m4);
    for (; i < n; i++) max = fmaxf(max, x[i]);
    const float inv = (float)(1.0 / exp_sub_sum(x, max, n));
    scale_f32(x, inv, n);
}

/* silu(g) * u = g / (1 + exp(-g)) * u, with a true division as the scalar path. */
static void swiglu(const float *g, const float *u, float *y, int64_t n) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        const __m256 gv = _mm256_loadu_ps(g + i);
        const __m256 silu = _mm256_div_ps(gv, _mm256_add_ps(one, exp8(_mm256_sub_ps(zero, gv))));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i)));
    }
    if (i < n) {
        /* the tail through the same vector code (padded), so an element's value never depends on
         * where a call's array starts or ends (the fused matmul applies this per tile) */
        float gt[8] = {0}, ut[8] = {0}, yt[8];
        memcpy(gt, g + i, (size_t)(n - i) * 4);
        memcpy(ut, u + i, (size_t)(n - i) * 4);
        const __m256 gv = _mm256_loadu_ps(gt);
        const __m256 silu = _mm256_div_ps(gv, _mm256_add_ps(one, exp8(_mm256_sub_ps(zero, gv))));
        _mm256_storeu_ps(yt, _mm256_mul_ps(silu, _mm256_loadu_ps(ut)));
        memcpy(y + i, yt, (size_t)(n - i) * 4);
    }
}

/*
 * Float weights: ggml's AVX2 ggml_vec_dot_f16 / _f32 / _bf16 per output (4 accumulators over
 * 32-element steps, the same reduction, leftovers in the same precision), so products equal
 * llama.cpp's bit for bit (checked by tests/ggml_parity.c), for decode and prefill alike.
 */
AI float ggml_reduce4(__m256 s0, __m256 s1, __m256 s2, __m256 s3) {
    s0 = _mm256_add_ps(s0, s2);
    s1 = _mm256_add_ps(s1, s3);
    s0 = _mm256_add_ps(s0, s1);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

/* Dot products of one weight row with NT (1..3) activation rows; each output gets exactly ggml's
 * arithmetic, the weight vectors are converted once for all NT tokens (3 x 4 accumulators fit). */
AI void dot_ggml(int kind, int64_t k, const uint8_t *w, const float *const *xs, float *const *ys, const int NT) {
    const int esz = kind == 0 ? 4 : 2;
    const int64_t np = k & ~(int64_t)31;
    __m256 s[3][4];
    for (int t = 0; t < NT; t++)
        for (int j = 0; j < 4; j++) s[t][j] = _mm256_setzero_ps();
    for (int64_t i = 0; i < np; i += 32) {
        for (int j = 0; j < 4; j++) {
            const __m256 wv = load8(kind, w + (i + 8 * j) * esz);
            for (int t = 0; t < NT; t++) {
                const __m256 xv = _mm256_loadu_ps(xs[t] + i + 8 * j);
                /* bf16: separate multiply and add, as ggml */
                s[t][j] = kind == 2 ? _mm256_add_ps(_mm256_mul_ps(wv, xv), s[t][j]) : _mm256_fmadd_ps(wv, xv, s[t][j]);
            }
        }
    }
    for (int t = 0; t < NT; t++) {
        const float *x = xs[t];
        if (kind == 0) { /* f32: float sum, float leftovers */
            float sum = ggml_reduce4(s[t][0], s[t][1], s[t][2], s[t][3]);
            for (int64_t i = np; i < k; i++) sum += load1(0, w + i * 4) * x[i];
            *ys[t] = sum;
            continue;
        }
        double sum;
        if (kind == 1) {
            sum = ggml_reduce4(s[t][0], s[t][1], s[t][2], s[t][3]);
        } else {
            sum = hsum8(_mm256_add_ps(_mm256_add_ps(s[t][0], s[t][2]), _mm256_add_ps(s[t][1], s[t][3])));
        }
        for (int64_t i = np; i < k; i++) sum += (double)(load1(kind, w + i * esz) * x[i]);
        *ys[t] = (float)sum;
    }
}

/* Decode and prefill alike (so a token's outputs never depend on the batch): row x token pairs. */
#define DEFINE_GGML_GEMM(name, KIND)                                                                       \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
        for (int32_t r = 0; r < nr; r++) {                                                                 \
            for (int32_t t = 0; t < nt; t += 3) {                                                          \
                const float *xs[3];                                                                        \
                float *ys[3];                                                                              \
                const int32_t n3 = nt - t < 3 ? nt - t : 3;                                                \
                for (int32_t i = 0; i < n3; i++) {                                                         \
                    xs[i] = (const float *)(const void *)(a + (t + i) * as);                               \
                    ys[i] = &y[(t + i) * ldy + r];                                                          \
                }                                                                                          \
                if (n3 == 3) dot_ggml(KIND, k, w + r * ws, xs, ys, 3);                                     \
                else if (n3 == 2) dot_ggml(KIND, k, w + r * ws, xs, ys, 2);                                \
                else dot_ggml(KIND, k, w + r * ws, xs, ys, 1);                                             \
            }                                                                                              \
        }                                                                                                  \
    }
DEFINE_GGML_GEMM(ggml_gemm_f32, 0)
DEFINE_GGML_GEMM(ggml_gemm_f16, 1)
DEFINE_GGML_GEMM(ggml_gemm_bf16, 2)

/* ---- row ops ------------------------------------------------------------------------------- */
/* Sum of float squares accumulated in double (as ggml), then (x * scale) * w in float. */
static void rmsnorm_row(const float *x, const float *w, float *y, int64_t n, float eps) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 sq = _mm256_mul_ps(v, v);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    const __m256 sv = _mm256_set1_ps(scale);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), sv), _mm256_loadu_ps(w + i)));
    for (; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

static void axpy_f32(float *y, float a, const float *x, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

static void scale_f32(float *y, float a, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(av, _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] *= a;
}

static void f16_to_f32(const uint16_t *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

/* (float)q * d per element, as the reference: the same values */
static void q8_0_to_f32(const uint8_t *src, float *dst, int64_t n) {
    for (int64_t b = 0; b < n / PL_QK; b++, src += PL_Q8_0_BYTES, dst += PL_QK) {
        uint16_t h;
        memcpy(&h, src, 2);
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(h));
        for (int i = 0; i < PL_QK; i += 8) {
            const __m128i q = _mm_loadl_epi64((const __m128i *)(const void *)(src + 2 + i));
            _mm256_storeu_ps(dst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), d));
        }
    }
}

static void f32_to_f16(const float *src, uint16_t *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) dst[i] = (uint16_t)_cvtss_sh(src[i], 0);
}

static void add(const float *a, const float *b, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++) y[i] = a[i] + b[i];
}

/* a = b + s*c with a separate multiply and add, so results equal the scalar triad's. */
static void triad(float *a, const float *b, const float *c, int64_t n, float s) {
    const __m256 sv = _mm256_set1_ps(s);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(a + i, _mm256_add_ps(_mm256_loadu_ps(b + i), _mm256_mul_ps(sv, _mm256_loadu_ps(c + i))));
    for (; i < n; i++) a[i] = b[i] + s * c[i];
}

void pl_kernels_fill_avx2(pl_kernels *k) {
    pl_kernels_fill_scalar(k);
    k->isa = PL_ISA_AVX2;
    k->variant = "avx2";
    q8t_install(k);
    kq_install(k);
    k->mm[PL_TYPE_F32] = (pl_mm_kernel){1, 4, act_f32, ggml_gemm_f32, ggml_gemm_f32, 0};
    k->mm[PL_TYPE_F16] = (pl_mm_kernel){1, 4, act_f16, ggml_gemm_f16, ggml_gemm_f16, 0};
    k->mm[PL_TYPE_BF16] = (pl_mm_kernel){1, 4, act_bf16, ggml_gemm_bf16, ggml_gemm_bf16, 0};
    k->rmsnorm_row = rmsnorm_row;
    k->axpy_f32 = axpy_f32;
    k->scale_f32 = scale_f32;
    k->exp_sub_sum = exp_sub_sum;
    k->softmax_row = softmax_row;
    k->swiglu = swiglu;
    k->f16_to_f32 = f16_to_f32;
    k->f32_to_f16 = f32_to_f16;
    k->q8_0_to_f32 = q8_0_to_f32;
    k->add = add;
    k->triad = triad;
    pl_attention_install_avx2(k);
}
