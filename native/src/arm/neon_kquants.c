/*
 * NEON K-quant matmul (Q4_K, Q5_K, Q6_K x Q8_K activations), decode and prefill: one row against one
 * token at a time, as the scalar path does, with the int8 products of each sub-block summed in
 * vectors (vmull + vpadal: every product and partial sum is exact). The integer super-block sums
 * and the float steps after them are the scalar reference's, so results equal it bit for bit
 * (KQuants.NeonEqualsScalarBitForBit). Weights stay row-major: NEON asks for no repacking.
 */
#include <string.h>

#include "neon_internal.h"

/* sum of 16 products of int8 codes and int8 activations (|code| <= 32, so each product fits int16) */
PL_AI int32x4_t dot16(int32x4_t acc, int8x16_t c, int8x16_t a) {
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(c), vget_low_s8(a)));
    return vpadalq_s16(acc, vmull_high_s8(c, a));
}

/* Q4_K / Q5_K: sub-block j (32 codes) is the low (even j) or high (odd j) nibbles of 32 bytes, plus
 * bit j of each qh byte as the fifth bit for Q5_K. */
PL_AI float dot_q45_k(int64_t k, const uint8_t *x, const uint8_t *y, const int five) {
    const int64_t block = five ? PL_Q5_K_BYTES : PL_Q4_K_BYTES;
    const int qs_at = five ? 48 : 16;
    const uint8x16_t m4 = vdupq_n_u8(0x0f), one = vdupq_n_u8(1);
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK_K; b++, x += block, y += PL_Q8_K_BYTES) {
        float yd;
        memcpy(&yd, y, 4);
        const int8_t *a = (const int8_t *)(y + 4);
        const uint8x16_t h0 = five ? vld1q_u8(x + 16) : vdupq_n_u8(0), h1 = five ? vld1q_u8(x + 32) : vdupq_n_u8(0);
        int sumi = 0, summ = 0;
        for (int p = 0; p < 4; p++) {
            const uint8x16_t q0 = vld1q_u8(x + qs_at + 32 * p), q1 = vld1q_u8(x + qs_at + 32 * p + 16);
            uint8x16_t c[4] = {vandq_u8(q0, m4), vandq_u8(q1, m4), vshrq_n_u8(q0, 4), vshrq_n_u8(q1, 4)};
            if (five)
                for (int i = 0; i < 4; i++) { /* bit 2p (low nibbles) or 2p+1 (high) of the qh byte, as 16 */
                    const int8x16_t sh = vdupq_n_s8((int8_t)-(2 * p + i / 2));
                    c[i] = vorrq_u8(c[i], vshlq_n_u8(vandq_u8(vshlq_u8(i % 2 ? h1 : h0, sh), one), 4));
                }
            for (int half = 0; half < 2; half++) {
                const int j = 2 * p + half;
                int32x4_t acc = vdupq_n_s32(0);
                acc = dot16(acc, vreinterpretq_s8_u8(c[2 * half]), vld1q_s8(a + 32 * j));
                acc = dot16(acc, vreinterpretq_s8_u8(c[2 * half + 1]), vld1q_s8(a + 32 * j + 16));
                int sc, mn;
                pl_q4k_scale_min(j, x + 4, &sc, &mn);
                sumi += sc * vaddvq_s32(acc);
                summ += mn * pl_q8k_sum32(y, j);
            }
        }
        sum += yd * pl_load_f16(x) * (float)sumi - yd * pl_load_f16(x + 2) * (float)summ;
    }
    return sum;
}

/* Q6_K: element 128h + 32n + p has the low nibble (shift 4 (n >> 1)) of ql[64h + 32 (n & 1) + p] and
 * bits 2n, 2n+1 of qh[32h + p]; code - 32; one int8 scale per 16 elements. */
static float dot_q6_k(int64_t k, const uint8_t *x, const uint8_t *y) {
    const uint8x16_t m4 = vdupq_n_u8(0x0f), m3 = vdupq_n_u8(3);
    const int8x16_t off = vdupq_n_s8(32);
    float sum = 0.0f;
    for (int64_t b = 0; b < k / PL_QK_K; b++, x += PL_Q6_K_BYTES, y += PL_Q8_K_BYTES) {
        float yd;
        memcpy(&yd, y, 4);
        const int8_t *a = (const int8_t *)(y + 4), *sc = (const int8_t *)(x + 192);
        int sumi = 0;
        for (int h = 0; h < 2; h++)
            for (int n = 0; n < 4; n++) {
                const uint8_t *ql = x + 64 * h + 32 * (n & 1), *qh = x + 128 + 32 * h;
                const int8x16_t lsh = vdupq_n_s8((int8_t)-(4 * (n >> 1))), hsh = vdupq_n_s8((int8_t)-(2 * n));
                for (int s = 0; s < 2; s++) { /* elements p = 16s .. 16s + 15: one scale */
                    const uint8x16_t lo = vandq_u8(vshlq_u8(vld1q_u8(ql + 16 * s), lsh), m4);
                    const uint8x16_t hi = vandq_u8(vshlq_u8(vld1q_u8(qh + 16 * s), hsh), m3);
                    const int8x16_t c = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lo, vshlq_n_u8(hi, 4))), off);
                    const int i = 128 * h + 32 * n + 16 * s;
                    sumi += sc[i / 16] * vaddvq_s32(dot16(vdupq_n_s32(0), c, vld1q_s8(a + i)));
                }
            }
        sum += yd * pl_load_f16(x + 208) * (float)sumi;
    }
    return sum;
}

static float dot_q4_k(int64_t k, const uint8_t *x, const uint8_t *y) { return dot_q45_k(k, x, y, 0); }
static float dot_q5_k(int64_t k, const uint8_t *x, const uint8_t *y) { return dot_q45_k(k, x, y, 1); }

#define NEON_K_GEMM(name, dot)                                                                           \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,    \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                    \
        for (int32_t r = 0; r < nr; r++) /* a row from memory once, from L1 for the other tokens */      \
            for (int32_t t = 0; t < nt; t++) y[t * ldy + r] = dot(k, w + r * ws, a + t * as);             \
    }
NEON_K_GEMM(gemm_q4_k, dot_q4_k)
NEON_K_GEMM(gemm_q5_k, dot_q5_k)
NEON_K_GEMM(gemm_q6_k, dot_q6_k)

void pl_neon_install_kquants(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_K].gemv = k->mm[PL_TYPE_Q4_K].gemm = gemm_q4_k;
    k->mm[PL_TYPE_Q5_K].gemv = k->mm[PL_TYPE_Q5_K].gemm = gemm_q5_k;
    k->mm[PL_TYPE_Q6_K].gemv = k->mm[PL_TYPE_Q6_K].gemm = gemm_q6_k;
}
