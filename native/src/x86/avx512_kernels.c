/*
 * AVX-512 F/BW/VL kernels, with VNNI (vpdpbusd) when the CPU has it. Quantized dot products handle
 * two 32-element blocks per 512-bit register: lanes 0..7 hold block b's int32 partial sums, lanes
 * 8..15 block b+1's, each scaled by its own pair of block scales; an odd last block runs in 256 bits.
 * As on AVX2, every output of a tile gets its own accumulators and the same instruction sequence,
 * so results do not depend on tiling or thread count. Activation quantizers are AVX2's (ggml uses
 * its AVX2 quantize_row_q8_* on AVX-512 machines too).
 */
#include <immintrin.h>

#include "pl_internal.h"

#define AI static inline __attribute__((always_inline))
#define MAXR 4
#define MAXT 4

AI float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* Fixed reduction order: 512 -> 256 (lo + hi), then hsum8. */
AI float hsum16(__m512 x) {
    const __m256 lo = _mm512_castps512_ps256(x);
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1));
    return hsum8(_mm256_add_ps(lo, hi));
}

AI float ld_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

AI __m256i unpack_nibbles(const uint8_t *qs) {
    const __m128i t = _mm_loadu_si128((const __m128i *)(const void *)qs);
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0f));
}

AI __m512i join256(__m256i lo, __m256i hi) { return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); }

AI __m512i load2x32(const uint8_t *p0, const uint8_t *p1) {
    return join256(_mm256_loadu_si256((const __m256i *)(const void *)p0), _mm256_loadu_si256((const __m256i *)(const void *)p1));
}

/* lanes 0..7 = a, 8..15 = b */
AI __m512 pair_scale(float a, float b) { return _mm512_mask_blend_ps((__mmask16)0xFF00, _mm512_set1_ps(a), _mm512_set1_ps(b)); }

/* Sum of 4 adjacent u8 x s8 products per int32 lane. */
AI __m512i dot_u8s8(int vnni, __m512i u, __m512i s) {
    if (vnni) return _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, s);
    return _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1));
}

AI __m256i dot_u8s8_256(int vnni, __m256i u, __m256i s) {
    if (vnni) return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

/* s8 x s8 via |x| and y negated where x < 0. */
AI __m512i neg_where(__m512i y, __mmask64 m) { return _mm512_mask_sub_epi8(y, m, _mm512_setzero_si512(), y); }
AI __m256i neg_where256(__m256i y, __mmask32 m) { return _mm256_mask_sub_epi8(y, m, _mm256_setzero_si256(), y); }

/* Q4_0 (kind 0) / Q8_0 (kind 1) weights x Q8_0 activations. */
AI void tile_q8act(int vnni, int kind, int64_t nb, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as, float *y,
                   int64_t ldy, const int RM, const int TN) {
    const int wb = kind == 0 ? PL_Q4_0_BYTES : PL_Q8_0_BYTES;
    __m512 acc[MAXR][MAXT];
    __m256 acc1[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) {
            acc[r][t] = _mm512_setzero_ps();
            acc1[r][t] = _mm256_setzero_ps();
        }
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        __m512i ax[MAXR];
        __mmask64 neg[MAXR];
        float d0[MAXR], d1[MAXR];
        for (int r = 0; r < RM; r++) {
            const uint8_t *p0 = w + r * ws + b * wb, *p1 = p0 + wb;
            d0[r] = ld_f16(p0);
            d1[r] = ld_f16(p1);
            const __m512i qx = kind == 0 ? _mm512_sub_epi8(join256(unpack_nibbles(p0 + 2), unpack_nibbles(p1 + 2)),
                                                           _mm512_set1_epi8(8))
                                         : load2x32(p0 + 2, p1 + 2);
            ax[r] = _mm512_abs_epi8(qx);
            neg[r] = _mm512_movepi8_mask(qx);
        }
        for (int t = 0; t < TN; t++) {
            const uint8_t *q0 = a + t * as + b * PL_Q8_0_BYTES, *q1 = q0 + PL_Q8_0_BYTES;
            const float e0 = ld_f16(q0), e1 = ld_f16(q1);
            const __m512i qy = load2x32(q0 + 2, q1 + 2);
            for (int r = 0; r < RM; r++) {
                const __m512 q = _mm512_cvtepi32_ps(dot_u8s8(vnni, ax[r], neg_where(qy, neg[r])));
                acc[r][t] = _mm512_fmadd_ps(pair_scale(d0[r] * e0, d1[r] * e1), q, acc[r][t]);
            }
        }
    }
    if (b < nb) {
        for (int r = 0; r < RM; r++) {
            const uint8_t *p0 = w + r * ws + b * wb;
            const float dx = ld_f16(p0);
            const __m256i qx = kind == 0 ? _mm256_sub_epi8(unpack_nibbles(p0 + 2), _mm256_set1_epi8(8))
                                         : _mm256_loadu_si256((const __m256i *)(const void *)(p0 + 2));
            const __m256i ax = _mm256_abs_epi8(qx);
            const __mmask32 neg = _mm256_movepi8_mask(qx);
            for (int t = 0; t < TN; t++) {
                const uint8_t *q0 = a + t * as + b * PL_Q8_0_BYTES;
                const __m256i qy = _mm256_loadu_si256((const __m256i *)(const void *)(q0 + 2));
                const __m256 q = _mm256_cvtepi32_ps(dot_u8s8_256(vnni, ax, neg_where256(qy, neg)));
                acc1[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * ld_f16(q0)), q, acc1[r][t]);
            }
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) y[t * ldy + r] = hsum16(acc[r][t]) + hsum8(acc1[r][t]);
}

/* Q4_1 weights x Q8_1 activations. */
AI void tile_q4_1(int vnni, int64_t nb, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as, float *y,
                  int64_t ldy, const int RM, const int TN) {
    __m512 acc[MAXR][MAXT];
    __m256 acc1[MAXR][MAXT];
    float summs[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) {
            acc[r][t] = _mm512_setzero_ps();
            acc1[r][t] = _mm256_setzero_ps();
            summs[r][t] = 0.0f;
        }
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        __m512i qx[MAXR];
        float d0[MAXR], d1[MAXR], m0[MAXR], m1[MAXR];
        for (int r = 0; r < RM; r++) {
            const uint8_t *p0 = w + r * ws + b * PL_Q4_1_BYTES, *p1 = p0 + PL_Q4_1_BYTES;
            d0[r] = ld_f16(p0);
            m0[r] = ld_f16(p0 + 2);
            d1[r] = ld_f16(p1);
            m1[r] = ld_f16(p1 + 2);
            qx[r] = join256(unpack_nibbles(p0 + 4), unpack_nibbles(p1 + 4));
        }
        for (int t = 0; t < TN; t++) {
            const uint8_t *q0 = a + t * as + b * PL_Q8_1_BYTES, *q1 = q0 + PL_Q8_1_BYTES;
            const float e0 = ld_f16(q0), s0 = ld_f16(q0 + 2), e1 = ld_f16(q1), s1 = ld_f16(q1 + 2);
            const __m512i qy = load2x32(q0 + 4, q1 + 4);
            for (int r = 0; r < RM; r++) {
                const __m512 q = _mm512_cvtepi32_ps(dot_u8s8(vnni, qx[r], qy));
                acc[r][t] = _mm512_fmadd_ps(pair_scale(d0[r] * e0, d1[r] * e1), q, acc[r][t]);
                summs[r][t] += m0[r] * s0;
                summs[r][t] += m1[r] * s1;
            }
        }
    }
    if (b < nb) {
        for (int r = 0; r < RM; r++) {
            const uint8_t *p0 = w + r * ws + b * PL_Q4_1_BYTES;
            const float dx = ld_f16(p0), mx = ld_f16(p0 + 2);
            const __m256i qx = unpack_nibbles(p0 + 4);
            for (int t = 0; t < TN; t++) {
                const uint8_t *q0 = a + t * as + b * PL_Q8_1_BYTES;
                const __m256i qy = _mm256_loadu_si256((const __m256i *)(const void *)(q0 + 4));
                const __m256 q = _mm256_cvtepi32_ps(dot_u8s8_256(vnni, qx, qy));
                acc1[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * ld_f16(q0)), q, acc1[r][t]);
                summs[r][t] += mx * ld_f16(q0 + 2);
            }
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) y[t * ldy + r] = hsum16(acc[r][t]) + hsum8(acc1[r][t]) + summs[r][t];
}

/* Float weights (0 F32, 1 F16, 2 BF16) x F32 activations, 16 lanes. */
AI __m512 load16(int kind, const uint8_t *p) {
    if (kind == 0) return _mm512_loadu_ps((const void *)p);
    const __m256i h = _mm256_loadu_si256((const __m256i *)(const void *)p);
    if (kind == 1) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
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
    __m512 acc[MAXR][MAXT];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) acc[r][t] = _mm512_setzero_ps();
    int64_t j = 0;
    for (; j + 16 <= k; j += 16) {
        __m512 wv[MAXR];
        for (int r = 0; r < RM; r++) wv[r] = load16(kind, w + r * ws + j * esz);
        for (int t = 0; t < TN; t++) {
            const __m512 xv = _mm512_loadu_ps((const float *)(const void *)(a + t * as) + j);
            for (int r = 0; r < RM; r++) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < TN; t++) {
            float s = hsum16(acc[r][t]);
            const float *xt = (const float *)(const void *)(a + t * as);
            for (int64_t i = j; i < k; i++) s += load1(kind, w + r * ws + i * esz) * xt[i];
            y[t * ldy + r] = s;
        }
}

/* 4x1 tiles for decode, 4x4 for GEMM (32 registers), then 1-row edges. */
#define DEFINE_GEMM(name, TILE)                                                                            \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy) {                                                   \
        int32_t r = 0;                                                                                     \
        for (; r + 4 <= nr; r += 4) {                                                                      \
            int32_t t = 0;                                                                                 \
            for (; t + 4 <= nt; t += 4) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 4, 4); \
            for (; t < nt; t++) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 4, 1);       \
        }                                                                                                  \
        for (; r < nr; r++) {                                                                              \
            int32_t t = 0;                                                                                 \
            for (; t + 4 <= nt; t += 4) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 1, 4); \
            for (; t < nt; t++) TILE(k, w + r * ws, ws, a + t * as, as, y + t * ldy + r, ldy, 1, 1);       \
        }                                                                                                  \
    }

#define T_Q4_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(0, 0, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_Q8_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(0, 1, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_Q4_1(k, w, ws, a, as, y, ldy, RM, TN) tile_q4_1(0, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define V_Q4_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(1, 0, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define V_Q8_0(k, w, ws, a, as, y, ldy, RM, TN) tile_q8act(1, 1, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define V_Q4_1(k, w, ws, a, as, y, ldy, RM, TN) tile_q4_1(1, (k) / PL_QK, w, ws, a, as, y, ldy, RM, TN)
#define T_F32(k, w, ws, a, as, y, ldy, RM, TN) tile_float(0, k, w, ws, a, as, y, ldy, RM, TN)
#define T_F16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(1, k, w, ws, a, as, y, ldy, RM, TN)
#define T_BF16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(2, k, w, ws, a, as, y, ldy, RM, TN)

DEFINE_GEMM(gemm_q4_0, T_Q4_0)
DEFINE_GEMM(gemm_q8_0, T_Q8_0)
DEFINE_GEMM(gemm_q4_1, T_Q4_1)
DEFINE_GEMM(gemm_q4_0_vnni, V_Q4_0)
DEFINE_GEMM(gemm_q8_0_vnni, V_Q8_0)
DEFINE_GEMM(gemm_q4_1_vnni, V_Q4_1)
DEFINE_GEMM(gemm_f32, T_F32)
DEFINE_GEMM(gemm_f16, T_F16)
DEFINE_GEMM(gemm_bf16, T_BF16)

/* ---- attention helpers ----------------------------------------------------------------------- */
static float dot_f32(const float *a, const float *b, int64_t n) {
    __m512 s = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) s = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s);
    float r = hsum16(s);
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}

static void axpy_f32(float *y, float a, const float *x, int64_t n) {
    const __m512 av = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

static void f16_to_f32(const uint16_t *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

void pl_kernels_fill_avx512(pl_kernels *k, int vnni) {
    pl_kernels_fill_avx2(k);
    k->isa = PL_ISA_AVX512;
    k->variant = vnni ? "avx512-vnni" : "avx512";
    k->mm[PL_TYPE_Q4_0].gemm = vnni ? gemm_q4_0_vnni : gemm_q4_0;
    k->mm[PL_TYPE_Q8_0].gemm = vnni ? gemm_q8_0_vnni : gemm_q8_0;
    k->mm[PL_TYPE_Q4_1].gemm = vnni ? gemm_q4_1_vnni : gemm_q4_1;
    k->mm[PL_TYPE_F32].gemm = gemm_f32;
    k->mm[PL_TYPE_F16].gemm = gemm_f16;
    k->mm[PL_TYPE_BF16].gemm = gemm_bf16;
    k->dot_f32 = dot_f32;
    k->axpy_f32 = axpy_f32;
    k->f16_to_f32 = f16_to_f32;
}
