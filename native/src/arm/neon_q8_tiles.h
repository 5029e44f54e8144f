/*
 * Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 x Q8_0 / Q8_1 tiles shared by the baseline NEON (neon_matmul.c) and the
 * dotprod (dotprod_matmul.c) tables; the includer defines PL_Q8_DOT (0: ARMv8.0 widening multiplies,
 * 1: SDOT) and compiles it with its own flags. See neon_matmul.c for the arithmetic: both give the
 * same exact integer block sums, hence the same bits (the scalar path's).
 */
#ifndef PL_NEON_Q8_TILES_H
#define PL_NEON_Q8_TILES_H

#include "neon_internal.h"

#ifndef PL_Q8_DOT
#error "define PL_Q8_DOT (0 or 1) before including neon_q8_tiles.h"
#endif

#define FMT_Q4_0 0
#define FMT_Q4_1 1
#define FMT_Q8_0 2
#define FMT_Q5_0 3
#define FMT_Q5_1 4
#define ROWS 4      /* rows per tile: one per float lane */
#define TOKS_GEMM 4 /* tokens per prefill tile */

/* ---- weights ----------------------------------------------------------------------------------- */
PL_AI int32_t wbytes(const int FMT) {
    return FMT == FMT_Q4_0 ? PL_Q4_0_BYTES : FMT == FMT_Q4_1 ? PL_Q4_1_BYTES : FMT == FMT_Q5_0 ? PL_Q5_0_BYTES
         : FMT == FMT_Q5_1 ? PL_Q5_1_BYTES : PL_Q8_0_BYTES;
}
/* Q4_1 / Q5_1: a min per block, activations as Q8_1 (d, s = d * sum, codes) */
PL_AI int has_min(const int FMT) { return FMT == FMT_Q4_1 || FMT == FMT_Q5_1; }
PL_AI int32_t abytes(const int FMT) { return has_min(FMT) ? PL_Q8_1_BYTES : PL_Q8_0_BYTES; }

/* 16 x 16 where bit (lane % 8) of byte lo (lanes 0-7) or hi (lanes 8-15) is set, else 0 */
PL_AI uint8x16_t fifth_bits(uint32_t lo, uint32_t hi) {
    static const uint8_t bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t v = vcombine_u8(vdup_n_u8((uint8_t)lo), vdup_n_u8((uint8_t)hi));
    return vandq_u8(vtstq_u8(v, vld1q_u8(bit)), vdupq_n_u8(16));
}

/* a weight block's 32 codes as int8: c[0] elements 0-15, c[1] 16-31 (Q4_0: nibble - 8; Q5: nibble
 * plus 16 x bit j of qh, Q5_0 minus 16) */
PL_AI void codes(const uint8_t *b, int8x16_t c[2], const int FMT) {
    if (FMT == FMT_Q8_0) {
        c[0] = vld1q_s8((const int8_t *)(b + 2));
        c[1] = vld1q_s8((const int8_t *)(b + 18));
        return;
    }
    const int32_t qs = FMT == FMT_Q4_0 ? 2 : FMT == FMT_Q4_1 ? 4 : FMT == FMT_Q5_0 ? 6 : 8;
    const uint8x16_t v = vld1q_u8(b + qs);
    uint8x16_t lo = vandq_u8(v, vdupq_n_u8(0xF)), hi = vshrq_n_u8(v, 4);
    if (FMT == FMT_Q5_0 || FMT == FMT_Q5_1) {
        uint32_t qh;
        memcpy(&qh, b + qs - 4, 4);
        lo = vorrq_u8(lo, fifth_bits(qh & 0xFF, (qh >> 8) & 0xFF));
        hi = vorrq_u8(hi, fifth_bits((qh >> 16) & 0xFF, qh >> 24));
    }
    c[0] = vreinterpretq_s8_u8(lo);
    c[1] = vreinterpretq_s8_u8(hi);
    if (FMT == FMT_Q4_0 || FMT == FMT_Q5_0) {
        const int8x16_t off = vdupq_n_s8(FMT == FMT_Q4_0 ? 8 : 16);
        c[0] = vsubq_s8(c[0], off);
        c[1] = vsubq_s8(c[1], off);
    }
}

/* exact block dot product in 4 int32 lanes (their sum is the block's). With dotprod: SDOT, four
 * products per lane. Without: 4/5-bit codes (|c| <= 31) take two products per int16 lane
 * (<= 2 * 31 * 128), 8-bit codes one (<= 128 * 128), as any int8 pair must fit. */
PL_AI int32x4_t block_dot(const int8x16_t c[2], const int8x16_t a[2], const int FMT) {
#if PL_Q8_DOT
    (void)FMT;
    return vdotq_s32(vdotq_s32(vdupq_n_s32(0), c[0], a[0]), c[1], a[1]);
#else
    if (FMT == FMT_Q8_0) {
        int32x4_t s = vpaddlq_s16(vmull_s8(vget_low_s8(c[0]), vget_low_s8(a[0])));
        s = vpadalq_s16(s, vmull_high_s8(c[0], a[0]));
        s = vpadalq_s16(s, vmull_s8(vget_low_s8(c[1]), vget_low_s8(a[1])));
        return vpadalq_s16(s, vmull_high_s8(c[1], a[1]));
    }
    const int16x8_t lo = vmlal_s8(vmull_s8(vget_low_s8(c[0]), vget_low_s8(a[0])), vget_low_s8(c[1]), vget_low_s8(a[1]));
    const int16x8_t hi = vmlal_high_s8(vmull_high_s8(c[0], a[0]), c[1], a[1]);
    return vpadalq_s16(vpaddlq_s16(lo), hi);
#endif
}

/* the f16 at byte off of 4 blocks, as floats (f16 -> f32 is exact) */
PL_AI float32x4_t halves4(const uint8_t *const b[ROWS], int32_t off) {
    uint16_t h[ROWS];
    for (int r = 0; r < ROWS; r++) memcpy(&h[r], b[r] + off, 2);
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h)));
}

/* acc[t] lane r += the products of blocks [0, nb) of row w[r] and token a[t] */
PL_AI void tile(int64_t nb, const uint8_t *const w[ROWS], const uint8_t *const a[], float32x4_t acc[], const int FMT,
                const int T) {
    const int32_t aq = has_min(FMT) ? 4 : 2; /* codes' offset in an activation block */
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *wb[ROWS];
        int8x16_t c[ROWS][2];
        for (int r = 0; r < ROWS; r++) {
            wb[r] = w[r] + b * wbytes(FMT);
            codes(wb[r], c[r], FMT);
        }
        const float32x4_t dw = halves4(wb, 0);
        float32x4_t mw = vdupq_n_f32(0.0f);
        if (has_min(FMT)) mw = halves4(wb, 2);
        for (int t = 0; t < T; t++) {
            const uint8_t *ab = a[t] + b * abytes(FMT);
            const int8x16_t av[2] = {vld1q_s8((const int8_t *)(ab + aq)), vld1q_s8((const int8_t *)(ab + aq + 16))};
            int32x4_t s[ROWS];
            for (int r = 0; r < ROWS; r++) s[r] = block_dot(c[r], av, FMT);
            /* lane r = row r's block sum (integer adds: exact in any order) */
            const float32x4_t sf = vcvtq_f32_s32(vpaddq_s32(vpaddq_s32(s[0], s[1]), vpaddq_s32(s[2], s[3])));
            const float da = pl_load_f16(ab);
            if (has_min(FMT)) {
                const float32x4_t t1 = vmulq_f32(vmulq_n_f32(dw, da), sf);
                const float32x4_t t2 = vmulq_n_f32(mw, pl_load_f16(ab + 2));
                acc[t] = vaddq_f32(acc[t], vaddq_f32(t1, t2));
            } else {
                acc[t] = vaddq_f32(acc[t], vmulq_f32(sf, vmulq_n_f32(dw, da)));
            }
        }
    }
}

PL_AI void gemm_fmt(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt,
                    float *y, int64_t ldy, const int FMT, const int T) {
    const int64_t nb = k / PL_QK;
    for (int32_t r0 = 0; r0 < nr; r0 += ROWS) {
        const uint8_t *wr[ROWS];
        for (int r = 0; r < ROWS; r++) wr[r] = w + (int64_t)(r0 + r < nr ? r0 + r : r0) * ws;
        const int32_t mr = nr - r0 < ROWS ? nr - r0 : ROWS;
        for (int32_t t0 = 0; t0 < nt; t0 += T) {
            const uint8_t *at[TOKS_GEMM];
            float32x4_t acc[TOKS_GEMM];
            for (int t = 0; t < T; t++) {
                at[t] = a + (int64_t)(t0 + t < nt ? t0 + t : t0) * as;
                acc[t] = vdupq_n_f32(0.0f);
            }
            tile(nb, wr, at, acc, FMT, T);
            const int32_t mt = nt - t0 < T ? nt - t0 : T;
            for (int t = 0; t < mt; t++) {
                float *yt = y + (int64_t)(t0 + t) * ldy + r0;
                if (mr == ROWS) {
                    vst1q_f32(yt, acc[t]);
                } else {
                    float o[ROWS];
                    vst1q_f32(o, acc[t]);
                    for (int r = 0; r < mr; r++) yt[r] = o[r];
                }
            }
        }
    }
}

/* gemv (one token per tile) and gemm (TOKS_GEMM) of one weight format */
#define PL_NEON_Q8_GEMM(name, FMT, T)                                                                          \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, \
                     float *y, int64_t ldy, void *scratch) {                                                      \
        gemm_fmt(k, w, ws, nr, a, as, nt, y, ldy, FMT, T);                                                        \
        (void)scratch;                                                                                            \
    }

/* every format's gemv and gemm: each includer (baseline, dotprod) gets its own copies, built with its flags */
PL_NEON_Q8_GEMM(gemv_q4_0, FMT_Q4_0, 1)
PL_NEON_Q8_GEMM(gemm_q4_0, FMT_Q4_0, TOKS_GEMM)
PL_NEON_Q8_GEMM(gemv_q4_1, FMT_Q4_1, 1)
PL_NEON_Q8_GEMM(gemm_q4_1, FMT_Q4_1, TOKS_GEMM)
PL_NEON_Q8_GEMM(gemv_q8_0, FMT_Q8_0, 1)
PL_NEON_Q8_GEMM(gemm_q8_0, FMT_Q8_0, TOKS_GEMM)
PL_NEON_Q8_GEMM(gemv_q5_0, FMT_Q5_0, 1)
PL_NEON_Q8_GEMM(gemm_q5_0, FMT_Q5_0, TOKS_GEMM)
PL_NEON_Q8_GEMM(gemv_q5_1, FMT_Q5_1, 1)
PL_NEON_Q8_GEMM(gemm_q5_1, FMT_Q5_1, TOKS_GEMM)

#endif /* PL_NEON_Q8_TILES_H */
