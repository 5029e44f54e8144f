/*
 * AVX2 + FMA + F16C kernels: the quantized matmul tiles come from q8_tiles.h (shared with AVX-512);
 * float-weight tiles, RMSNorm and the attention helpers are here. The GEMM tiles share weight and
 * activation loads across a tile of rows x tokens but keep one accumulator per output, so every
 * output gets the exact same arithmetic whatever the tile shape (and whatever the thread count).
 */
#include <immintrin.h>
#include <math.h>

#include "pl_internal.h"

/* the quantized kernels (shared with the AVX-512 file) */
#define PL_VNNI 0
#define PL_DEC_RM 4
#define PL_GEMM_RM 2
#define PL_GEMM_TN 4
#define PL_GEMM_PTN 4 /* tokens per panel tile */
#include "q8_tiles.h"

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
#define MAXR 4
#define MAXT 4

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

AI void tile_float(int kind, int64_t k, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as, float *y,
                   int64_t ldy, const int RM, const int TN) {
    const int esz = kind == 0 ? 4 : 2;
    __m256 acc[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) acc[r][t] = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= k; j += 8) {
        __m256 wv[MAXR];
        for (int r = 0; r < RM; r++) wv[r] = load8(kind, w + r * ws + j * esz);
        for (int t = 0; t < TN; t++) {
            const __m256 xv = _mm256_loadu_ps((const float *)(const void *)(a + t * as) + j);
            for (int r = 0; r < RM; r++) acc[r][t] = _mm256_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) {
            float s = hsum8(acc[r][t]);
            const float *xt = (const float *)(const void *)(a + t * as);
            for (int64_t i = j; i < k; i++) s += load1(kind, w + r * ws + i * esz) * xt[i];
            y[t * ldy + r] = s;
        }
}

/* Row/token tiling shared by every format: 4x1 for decode, 2x4 for GEMM, then the edges. */
#define DEFINE_GEMM(name, TILE)                                                                            \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
        int32_t r = 0;                                                                                     \
        if (nt == 1)                                                                                       \
            for (; r + 4 <= nr; r += 4) TILE(k, w + r * ws, ws, a, as, y + r, ldy, 4, 1);                   \
        for (; r + 2 <= nr; r += 2) {                                                                      \
            int32_t t = 0;                                                                                 \
            for (; t + 4 <= nt; t += 4) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 2, 4); \
            for (; t < nt; t++) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 2, 1);       \
        }                                                                                                  \
        for (; r < nr; r++) {                                                                              \
            int32_t t = 0;                                                                                 \
            for (; t + 4 <= nt; t += 4) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 1, 4); \
            for (; t < nt; t++) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 1, 1);       \
        }                                                                                                  \
    }

#define T_F32(k, w, ws, a, as, y, ldy, RM, TN) tile_float(0, k, w, ws, a, as, y, ldy, RM, TN)
#define T_F16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(1, k, w, ws, a, as, y, ldy, RM, TN)
#define T_BF16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(2, k, w, ws, a, as, y, ldy, RM, TN)

DEFINE_GEMM(gemm_f32, T_F32)
DEFINE_GEMM(gemm_f16, T_F16)
DEFINE_GEMM(gemm_bf16, T_BF16)

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

static float dot_f32(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
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
    k->mm[PL_TYPE_F32] = (pl_mm_kernel){1, 4, act_f32, gemm_f32, gemm_f32, 0};
    k->mm[PL_TYPE_F16] = (pl_mm_kernel){1, 4, act_f16, gemm_f16, gemm_f16, 0};
    k->mm[PL_TYPE_BF16] = (pl_mm_kernel){1, 4, act_bf16, gemm_bf16, gemm_bf16, 0};
    k->rmsnorm_row = rmsnorm_row;
    k->dot_f32 = dot_f32;
    k->axpy_f32 = axpy_f32;
    k->scale_f32 = scale_f32;
    k->f16_to_f32 = f16_to_f32;
    k->f32_to_f16 = f32_to_f16;
    k->add = add;
    k->triad = triad;
}
