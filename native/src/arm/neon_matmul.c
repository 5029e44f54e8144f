/*
 * NEON (ARMv8.0) matmul for Q4_0, Q4_1 and Q8_0 weights, decode and prefill.
 *
 * Bits: every output computes what the scalar reference computes, in the same order. A block's
 * integer dot product is exact (int8 x int8 products widened to int16, pairs of them to int32),
 * and its float scaling follows kernels_scalar.c operation for operation, one row per lane:
 * Q4_0/Q8_0: sum += (float)sumi * (d_w * d_a); Q4_1: sum += (d_w * d_a) * (float)sumi + m_w * s_a,
 * blocks ascending. Lanes never mix, so results equal the scalar path's bit for bit (with C
 * compiled without FP contraction, GCC's default in ISO C mode), decode equals prefill, and tiling
 * or the thread count change nothing.
 *
 * Tiles: 4 rows (one per lane) x T tokens; a weight block is loaded and unpacked once for the T
 * tokens of a prefill tile (T = 4) and the 4 rows share each activation load. Short tiles repeat a
 * row or token whose results are dropped.
 */
#include "neon_internal.h"

#define FMT_Q4_0 0
#define FMT_Q4_1 1
#define FMT_Q8_0 2
#define ROWS 4     /* rows per tile: one per float lane */
#define TOKS_GEMM 4 /* tokens per prefill tile */

/* ---- activations: the reference quantizers (quants.c) with the same float operations ------------- */
/* amax as fmaxf(amax, fabsf(x)) over the block: max is exact whatever the order. id = 1/d as the
 * reference; roundf (half away from zero) is FCVTAS. */
PL_AI int8x16_t q8_codes(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d, float id) {
    const int16x8_t lo = vcombine_s16(vmovn_s32(vcvtaq_s32_f32(vmulq_n_f32(a, id))),
                                      vmovn_s32(vcvtaq_s32_f32(vmulq_n_f32(b, id))));
    const int16x8_t hi = vcombine_s16(vmovn_s32(vcvtaq_s32_f32(vmulq_n_f32(c, id))),
                                      vmovn_s32(vcvtaq_s32_f32(vmulq_n_f32(d, id))));
    return vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
}

/* one block of 32: its codes at q, returns d */
PL_AI float q8_block(const float *x, int8_t *q) {
    float32x4_t v[8];
    for (int i = 0; i < 8; i++) v[i] = vld1q_f32(x + 4 * i);
    float32x4_t m = vdupq_n_f32(0.0f); /* as the reference's amax = 0, then fmaxf (maxnm: NaN ignored) */
    for (int i = 0; i < 8; i++) m = vmaxnmq_f32(m, vabsq_f32(v[i]));
    const float amax = vmaxnmvq_f32(m);
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    vst1q_s8(q, q8_codes(v[0], v[1], v[2], v[3], id));
    vst1q_s8(q + 16, q8_codes(v[4], v[5], v[6], v[7], id));
    return d;
}

static void act_q8_0(const float *x, void *dst, int64_t k) {
    uint8_t *y = (uint8_t *)dst;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_QK, y += PL_Q8_0_BYTES) pl_store_f16(y, q8_block(x, (int8_t *)(y + 2)));
}

/* Q8_1: s = d * (sum of the codes), the sum exact in int */
static void act_q8_1(const float *x, void *dst, int64_t k) {
    uint8_t *y = (uint8_t *)dst;
    for (int64_t b = 0; b < k / PL_QK; b++, x += PL_QK, y += PL_Q8_1_BYTES) {
        const float d = q8_block(x, (int8_t *)(y + 4));
        const int8x16_t q0 = vld1q_s8((const int8_t *)(y + 4)), q1 = vld1q_s8((const int8_t *)(y + 20));
        const int sum = vaddlvq_s8(q0) + vaddlvq_s8(q1);
        pl_store_f16(y, d);
        pl_store_f16(y + 2, (float)sum * d);
    }
}

/* ---- weights ----------------------------------------------------------------------------------- */
PL_AI int32_t wbytes(const int FMT) { return FMT == FMT_Q4_0 ? PL_Q4_0_BYTES : FMT == FMT_Q4_1 ? PL_Q4_1_BYTES : PL_Q8_0_BYTES; }
PL_AI int32_t abytes(const int FMT) { return FMT == FMT_Q4_1 ? PL_Q8_1_BYTES : PL_Q8_0_BYTES; }

/* a weight block's 32 codes as int8: c[0] elements 0-15, c[1] 16-31 (Q4_0: nibble - 8) */
PL_AI void codes(const uint8_t *b, int8x16_t c[2], const int FMT) {
    if (FMT == FMT_Q8_0) {
        c[0] = vld1q_s8((const int8_t *)(b + 2));
        c[1] = vld1q_s8((const int8_t *)(b + 18));
        return;
    }
    const uint8x16_t v = vld1q_u8(b + (FMT == FMT_Q4_1 ? 4 : 2));
    const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0xF)));
    const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(v, 4));
    if (FMT == FMT_Q4_0) {
        c[0] = vsubq_s8(lo, vdupq_n_s8(8));
        c[1] = vsubq_s8(hi, vdupq_n_s8(8));
    } else {
        c[0] = lo;
        c[1] = hi;
    }
}

/* exact block dot product in 4 int32 lanes. 4-bit codes (|c| <= 15): two products per int16 lane
 * (<= 2 * 15 * 128); 8-bit codes: one (<= 128 * 128), as any int8 pair must fit. */
PL_AI int32x4_t block_dot(const int8x16_t c[2], const int8x16_t a[2], const int FMT) {
    if (FMT == FMT_Q8_0) {
        int32x4_t s = vpaddlq_s16(vmull_s8(vget_low_s8(c[0]), vget_low_s8(a[0])));
        s = vpadalq_s16(s, vmull_high_s8(c[0], a[0]));
        s = vpadalq_s16(s, vmull_s8(vget_low_s8(c[1]), vget_low_s8(a[1])));
        return vpadalq_s16(s, vmull_high_s8(c[1], a[1]));
    }
    const int16x8_t lo = vmlal_s8(vmull_s8(vget_low_s8(c[0]), vget_low_s8(a[0])), vget_low_s8(c[1]), vget_low_s8(a[1]));
    const int16x8_t hi = vmlal_high_s8(vmull_high_s8(c[0], a[0]), c[1], a[1]);
    return vpadalq_s16(vpaddlq_s16(lo), hi);
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
    const int32_t aq = FMT == FMT_Q4_1 ? 4 : 2; /* codes' offset in an activation block */
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *wb[ROWS];
        int8x16_t c[ROWS][2];
        for (int r = 0; r < ROWS; r++) {
            wb[r] = w[r] + b * wbytes(FMT);
            codes(wb[r], c[r], FMT);
        }
        const float32x4_t dw = halves4(wb, 0);
        float32x4_t mw = vdupq_n_f32(0.0f);
        if (FMT == FMT_Q4_1) mw = halves4(wb, 2);
        for (int t = 0; t < T; t++) {
            const uint8_t *ab = a[t] + b * abytes(FMT);
            const int8x16_t av[2] = {vld1q_s8((const int8_t *)(ab + aq)), vld1q_s8((const int8_t *)(ab + aq + 16))};
            int32x4_t s[ROWS];
            for (int r = 0; r < ROWS; r++) s[r] = block_dot(c[r], av, FMT);
            /* lane r = row r's block sum (integer adds: exact in any order) */
            const float32x4_t sf = vcvtq_f32_s32(vpaddq_s32(vpaddq_s32(s[0], s[1]), vpaddq_s32(s[2], s[3])));
            const float da = pl_load_f16(ab);
            if (FMT == FMT_Q4_1) {
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

#define NEON_GEMM(name, FMT, T)                                                                                \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, \
                     float *y, int64_t ldy, void *scratch) {                                                      \
        gemm_fmt(k, w, ws, nr, a, as, nt, y, ldy, FMT, T);                                                        \
        (void)scratch;                                                                                            \
    }
NEON_GEMM(gemv_q4_0, FMT_Q4_0, 1)
NEON_GEMM(gemm_q4_0, FMT_Q4_0, TOKS_GEMM)
NEON_GEMM(gemv_q4_1, FMT_Q4_1, 1)
NEON_GEMM(gemm_q4_1, FMT_Q4_1, TOKS_GEMM)
NEON_GEMM(gemv_q8_0, FMT_Q8_0, 1)
NEON_GEMM(gemm_q8_0, FMT_Q8_0, TOKS_GEMM)

void pl_neon_install_matmul(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemv_q4_0, gemm_q4_0, 0};
    k->mm[PL_TYPE_Q4_1] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemv_q4_1, gemm_q4_1, 0};
    k->mm[PL_TYPE_Q8_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemv_q8_0, gemm_q8_0, 0};
    /* Q5_0 / Q5_1 pair with the same activations: the NEON quantizers give the reference's codes */
    k->mm[PL_TYPE_Q5_0].quantize_act = act_q8_0;
    k->mm[PL_TYPE_Q5_1].quantize_act = act_q8_1;
}
