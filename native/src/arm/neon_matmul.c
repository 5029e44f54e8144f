/*
 * NEON (ARMv8.0) matmul for Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 weights, decode and prefill.
 *
 * Bits: every output computes what the scalar reference computes, in the same order. A block's
 * integer dot product is exact (int8 x int8 products widened to int16, pairs of them to int32),
 * and its float scaling follows kernels_scalar.c operation for operation, one row per lane:
 * Q4_0/Q5_0/Q8_0: sum += (float)sumi * (d_w * d_a); Q4_1/Q5_1: sum += (d_w * d_a) * (float)sumi + m_w * s_a,
 * blocks ascending. Lanes never mix, so results equal the scalar path's bit for bit (with C
 * compiled without FP contraction, GCC's default in ISO C mode), decode equals prefill, and tiling
 * or the thread count change nothing.
 *
 * Tiles: 4 rows (one per lane) x T tokens; a weight block is loaded and unpacked once for the T
 * tokens of a prefill tile (T = 4) and the 4 rows share each activation load. Short tiles repeat a
 * row or token whose results are dropped.
 */
#define PL_Q8_DOT 0
#include "neon_q8_tiles.h"

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

void pl_neon_install_matmul(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemv_q4_0, gemm_q4_0, 0};
    k->mm[PL_TYPE_Q4_1] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemv_q4_1, gemm_q4_1, 0};
    k->mm[PL_TYPE_Q8_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemv_q8_0, gemm_q8_0, 0};
    k->mm[PL_TYPE_Q5_0] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemv_q5_0, gemm_q5_0, 0};
    k->mm[PL_TYPE_Q5_1] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemv_q5_1, gemm_q5_1, 0};
}
