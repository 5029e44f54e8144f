/*
 * AVX-512 F/BW/VL kernels. Quantized matmul: the q8_tiles.h kernels with VNNI vpdpbusd (the same
 * int32 lane sums as AVX2's maddubs+madd, so results equal the AVX2 path's bit for bit) and 4x4 GEMM
 * tiles (32 vector registers). Float-weight tiles and attention helpers use 512-bit registers.
 */
#include <immintrin.h>

#include "pl_internal.h"

#define PL_VNNI 1
#ifndef PL_DEC_RM
#define PL_DEC_RM 8 /* rows per decode tile: 8 independent streams measured fastest (Q4_0 +20%) */
#endif
#define PL_GEMM_PTN 8 /* tokens per panel tile */
#include "q8_tiles.h"
#ifndef PL_KQ_RM
#define PL_KQ_RM 1 /* K-quant rows per group: one sequential stream per row measured fastest (vs 2, 4, 8) */
#endif
#define PL_KQ_PTN 4 /* tokens per K-quant panel tile (isum, offs, acc per token: 32 registers bound it) */
#include "kq_tiles.h"

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
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
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

#define T_F32(k, w, ws, a, as, y, ldy, RM, TN) tile_float(0, k, w, ws, a, as, y, ldy, RM, TN)
#define T_F16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(1, k, w, ws, a, as, y, ldy, RM, TN)
#define T_BF16(k, w, ws, a, as, y, ldy, RM, TN) tile_float(2, k, w, ws, a, as, y, ldy, RM, TN)

DEFINE_GEMM(gemm_f32, T_F32)
DEFINE_GEMM(gemm_f16, T_F16)
DEFINE_GEMM(gemm_bf16, T_BF16)

/*
 * Prefill GEMM on 16-row panels for VNNI CPUs: the 8-row panel layout of q8_tiles.h, two of them
 * side by side per 4-code group, so one 512-bit vpdpbusd computes 16 rows x 4 codes for a token.
 * Each output's integer block sums and float operations are those of the 8-row panel kernel, so
 * results equal the AVX2 path's bit for bit.
 */
#define P16_BLOCK 640 /* per block: 8 groups x (16 rows x 4 codes), 16 f32 d, 16 f32 m */
#define P16_TN 8

AI void pack16(int kind, int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    uint8_t tmp[Q8T_PANEL_BLOCK];
    for (int half = 0; half < 2; half++) {
        const int32_t n8 = nrows - 8 * half < 0 ? 0 : (nrows - 8 * half > 8 ? 8 : nrows - 8 * half);
        for (int64_t b = 0; b < nb; b++) {
            q8t_pack_panel(kind, 1, w + 8 * half * ws + b * q8t_block_bytes(kind),
                           ws, n8, tmp);
            uint8_t *pb = panel + b * P16_BLOCK;
            for (int g = 0; g < 8; g++) memcpy(pb + 64 * g + 32 * half, tmp + 32 * g, 32);
            memcpy(pb + 512 + 32 * half, tmp + 256, 32); /* d */
            memcpy(pb + 576 + 32 * half, tmp + 288, 32); /* m */
        }
    }
}

AI void p16_tile(int kind, int64_t k, const uint8_t *panel, const uint8_t *a, int64_t as, float *y, int64_t ldy,
                 int32_t nrows, const int TN) {
    const int64_t nb = k / PL_QK;
    __m512 acc[P16_TN], sm[P16_TN];
    for (int t = 0; t < TN; t++) acc[t] = sm[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *pb = panel + b * P16_BLOCK;
        __m512i isum[P16_TN];
        for (int t = 0; t < TN; t++) isum[t] = _mm512_setzero_si512();
#pragma GCC unroll 1
        for (int g = 0; g < 8; g++) {
            const __m512i wv = _mm512_loadu_si512((const void *)(pb + 64 * g));
            for (int t = 0; t < TN; t++) {
                int32_t y4;
                memcpy(&y4, a + t * as + b * PL_QK + 4 * g, 4);
                isum[t] = _mm512_dpbusd_epi32(isum[t], wv, _mm512_set1_epi32(y4));
            }
        }
        const __m512 dx = _mm512_loadu_ps((const void *)(pb + 512));
        const int off = kind == Q8T_Q40 ? 8 : kind == Q8T_Q50 ? 16 : kind == Q8T_Q80 ? 128 : 0;
        for (int t = 0; t < TN; t++) {
            const float *ds = (const float *)(const void *)(a + t * as + k);
            __m512i iv = isum[t];
            if (off) iv = _mm512_sub_epi32(iv, _mm512_set1_epi32(off * ((const int32_t *)(const void *)(ds + 2 * nb))[b]));
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dx, _mm512_set1_ps(ds[b])), _mm512_cvtepi32_ps(iv), acc[t]);
            if (q8t_has_min(kind))
                sm[t] = _mm512_fmadd_ps(_mm512_loadu_ps((const void *)(pb + 576)), _mm512_set1_ps(ds[nb + b]), sm[t]);
        }
    }
    for (int t = 0; t < TN; t++) {
        float out[16];
        _mm512_storeu_ps(out, q8t_has_min(kind) ? _mm512_add_ps(acc[t], sm[t]) : acc[t]);
        for (int r = 0; r < nrows; r++) y[t * ldy + r] = out[r];
    }
}

#define DEFINE_P16_GEMM(name, KIND)                                                                        \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        uint8_t *panel = (uint8_t *)scratch;                                                               \
        for (int32_t r = 0; r < nr; r += 16) {                                                             \
            const int32_t n16 = nr - r < 16 ? nr - r : 16;                                                 \
            pack16(KIND, k / PL_QK, w + r * ws, ws, n16, panel);                                            \
            int32_t t = 0;                                                                                 \
            for (; t + P16_TN <= nt; t += P16_TN)                                                          \
                p16_tile(KIND, k, panel, a + t * as, as, y + t * ldy + r, ldy, n16, P16_TN);                \
            for (; t < nt; t++) p16_tile(KIND, k, panel, a + t * as, as, y + t * ldy + r, ldy, n16, 1);     \
        }                                                                                                  \
    }

DEFINE_P16_GEMM(p16_gemm_q4_0, Q8T_Q40)
DEFINE_P16_GEMM(p16_gemm_q8_0, Q8T_Q80)
DEFINE_P16_GEMM(p16_gemm_q4_1, Q8T_Q41)
DEFINE_P16_GEMM(p16_gemm_q5_0, Q8T_Q50)
DEFINE_P16_GEMM(p16_gemm_q5_1, Q8T_Q51)

/* ---- attention helpers ----------------------------------------------------------------------- */
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
    /* without VNNI the AVX2 quantized tiles (inherited) are as fast as 512-bit maddubs ones */
    if (vnni) {
        q8t_install(k);
        kq_install(k); /* vpdpwssd: the AVX2 path's integers, so its results */
        k->mm[PL_TYPE_Q4_0].gemm = p16_gemm_q4_0;
        k->mm[PL_TYPE_Q8_0].gemm = p16_gemm_q8_0;
        k->mm[PL_TYPE_Q4_1].gemm = p16_gemm_q4_1;
        k->mm[PL_TYPE_Q5_0].gemm = p16_gemm_q5_0;
        k->mm[PL_TYPE_Q5_1].gemm = p16_gemm_q5_1;
        k->mm[PL_TYPE_Q4_0].gemm_scratch = k->mm[PL_TYPE_Q8_0].gemm_scratch = k->mm[PL_TYPE_Q4_1].gemm_scratch = P16_BLOCK;
        k->mm[PL_TYPE_Q5_0].gemm_scratch = k->mm[PL_TYPE_Q5_1].gemm_scratch = P16_BLOCK;
    }
    k->mm[PL_TYPE_F32].gemm = k->mm[PL_TYPE_F32].gemv = gemm_f32;
    k->mm[PL_TYPE_F16].gemm = k->mm[PL_TYPE_F16].gemv = gemm_f16;
    k->mm[PL_TYPE_BF16].gemm = k->mm[PL_TYPE_BF16].gemv = gemm_bf16;
    k->axpy_f32 = axpy_f32;
    k->f16_to_f32 = f16_to_f32;
}
