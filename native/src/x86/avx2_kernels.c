/*
 * AVX2 + FMA + F16C kernels. Quantized dot products follow ggml's AVX2 code: per 32-element block,
 * int8 products summed pairwise with maddubs (sign trick for signed x signed), widened with madd,
 * converted to float, scaled by the two block scales and accumulated with FMA into 8 lanes, then
 * reduced with the same horizontal sum. The GEMM tiles share weight and activation loads across a
 * tile of rows x tokens but keep one accumulator per output, so every output gets the exact same
 * arithmetic whatever the tile shape (and therefore whatever the thread count).
 */
#include <immintrin.h>
#include <math.h>

#include "pl_internal.h"

#define AI static inline __attribute__((always_inline))

AI float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

AI float ld_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

AI void st_f16(uint8_t *p, float f) {
    uint16_t h = (uint16_t)_cvtss_sh(f, 0);
    memcpy(p, &h, 2);
}

/* 16 bytes of nibbles -> 32 bytes 0..15: low nibbles (elements 0..15) then high (16..31). */
AI __m256i unpack_nibbles(const uint8_t *qs) {
    const __m128i t = _mm_loadu_si128((const __m128i *)(const void *)qs);
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0f));
}

/* ---- activation quantizers: ggml's AVX2 quantize_row_q8_0 / q8_1 (round to nearest even) ---- */
AI __m256i quantize_block32(const float *x, float *d_out, __m256i *sum32) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, v0);
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v1));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v2));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v3));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    *d_out = amax / 127.f;
    const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.f / amax : 0.0f);
    __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    if (sum32) *sum32 = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    i0 = _mm256_packs_epi32(i0, i1);
    i2 = _mm256_packs_epi32(i2, i3);
    i0 = _mm256_packs_epi16(i0, i2);
    return _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

AI int hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

static void act_q8_0(const float *x, void *dst, int64_t k) {
    uint8_t *y = (uint8_t *)dst;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_QK, y += PL_Q8_0_BYTES) {
        float d;
        const __m256i q = quantize_block32(x, &d, NULL);
        st_f16(y, d);
        _mm256_storeu_si256((__m256i *)(void *)(y + 2), q);
    }
}

static void act_q8_1(const float *x, void *dst, int64_t k) {
    uint8_t *y = (uint8_t *)dst;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_QK, y += PL_Q8_1_BYTES) {
        float d;
        __m256i s;
        const __m256i q = quantize_block32(x, &d, &s);
        st_f16(y, d);
        st_f16(y + 2, d * (float)hsum_i32(s));
        _mm256_storeu_si256((__m256i *)(void *)(y + 4), q);
    }
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

/* Q4_0 (kind 0) or Q8_0 (kind 1) weights x Q8_0 activations. */
AI void tile_q8act(int kind, int64_t nb, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as, float *y,
                   int64_t ldy, const int RM, const int TN) {
    const int wb = kind == 0 ? PL_Q4_0_BYTES : PL_Q8_0_BYTES;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) acc[r][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m256i qx[MAXR], ax[MAXR];
        float dx[MAXR];
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * wb;
            dx[r] = ld_f16(blk);
            qx[r] = kind == 0 ? _mm256_sub_epi8(unpack_nibbles(blk + 2), _mm256_set1_epi8(8))
                              : _mm256_loadu_si256((const __m256i *)(const void *)(blk + 2));
            ax[r] = _mm256_sign_epi8(qx[r], qx[r]);
        }
        for (int t = 0; t < TN; t++) {
            const uint8_t *ab = a + t * as + b * PL_Q8_0_BYTES;
            const float dy = ld_f16(ab);
            const __m256i qy = _mm256_loadu_si256((const __m256i *)(const void *)(ab + 2));
            for (int r = 0; r < RM; r++) {
                const __m256i sy = _mm256_sign_epi8(qy, qx[r]);
                const __m256 q = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(ax[r], sy), ones));
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx[r] * dy), q, acc[r][t]);
            }
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) y[t * ldy + r] = hsum8(acc[r][t]);
}

/* Q4_1 weights x Q8_1 activations: unsigned nibbles x int8, plus min * (d * sum(qy)) per block. */
AI void tile_q4_1(int64_t nb, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as, float *y, int64_t ldy,
                  const int RM, const int TN) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[MAXR][MAXT];
    float summs[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) {
            acc[r][t] = _mm256_setzero_ps();
            summs[r][t] = 0.0f;
        }
    for (int64_t b = 0; b < nb; b++) {
        __m256i qx[MAXR];
        float dx[MAXR], mx[MAXR];
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * PL_Q4_1_BYTES;
            dx[r] = ld_f16(blk);
            mx[r] = ld_f16(blk + 2);
            qx[r] = unpack_nibbles(blk + 4);
        }
        for (int t = 0; t < TN; t++) {
            const uint8_t *ab = a + t * as + b * PL_Q8_1_BYTES;
            const float dy = ld_f16(ab), sy = ld_f16(ab + 2);
            const __m256i qy = _mm256_loadu_si256((const __m256i *)(const void *)(ab + 4));
            for (int r = 0; r < RM; r++) {
                const __m256 q = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(qx[r], qy), ones));
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx[r] * dy), q, acc[r][t]);
                summs[r][t] += mx[r] * sy;
            }
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) y[t * ldy + r] = hsum8(acc[r][t]) + summs[r][t];
}

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
                     int32_t nt, float *y, int64_t ldy) {                                                   \
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

#define T_Q4_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(0, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_Q8_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(1, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_Q4_1(k, w, ws, a, as, y, ldy, RM, TN) tile_q4_1((k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_F32(k, w, ws, a, as, y, ldy, RM, TN) tile_float(0, k, w, ws, a, as, y, ldy, RM, TN)
#define T_F16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(1, k, w, ws, a, as, y, ldy, RM, TN)
#define T_BF16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(2, k, w, ws, a, as, y, ldy, RM, TN)

DEFINE_GEMM(gemm_q4_0, T_Q4_0)
DEFINE_GEMM(gemm_q8_0, T_Q8_0)
DEFINE_GEMM(gemm_q4_1, T_Q4_1)
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
    k->mm[PL_TYPE_Q4_0] = (pl_mm_kernel){PL_TYPE_Q8_0, act_q8_0, gemm_q4_0};
    k->mm[PL_TYPE_Q4_1] = (pl_mm_kernel){PL_TYPE_Q8_1, act_q8_1, gemm_q4_1};
    k->mm[PL_TYPE_Q8_0] = (pl_mm_kernel){PL_TYPE_Q8_0, act_q8_0, gemm_q8_0};
    k->mm[PL_TYPE_F32] = (pl_mm_kernel){PL_TYPE_F32, act_f32, gemm_f32};
    k->mm[PL_TYPE_F16] = (pl_mm_kernel){PL_TYPE_F32, act_f16, gemm_f16};
    k->mm[PL_TYPE_BF16] = (pl_mm_kernel){PL_TYPE_F32, act_bf16, gemm_bf16};
    k->rmsnorm_row = rmsnorm_row;
    k->dot_f32 = dot_f32;
    k->axpy_f32 = axpy_f32;
    k->scale_f32 = scale_f32;
    k->f16_to_f32 = f16_to_f32;
    k->f32_to_f16 = f32_to_f16;
    k->add = add;
    k->triad = triad;
}
