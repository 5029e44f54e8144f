/*
 * NEON attention kernels: the scores of a KV group's query heads against a block of cache rows, and
 * those heads' softmax weights times the block's V rows (the contract of x86/avx2_attention.c). F16
 * rows are read in place and widened in registers (exact).
 *
 * Bits: a score is one 4-lane FMA chain over the head dims, reduced (x0+x1)+(x2+x3), then the last
 * hd % 4 dims with scalar FMAs, then times scale, whichever tile (2 heads x 4 rows, or 1 head x 8
 * rows) computed it; so a token scores the same alone or in a batch. A value element is one FMA per
 * row, rows ascending.
 */
#include <math.h>

#include "neon_internal.h"

/* 4 elements of cache rows from element i: F32, or F16 widened */
PL_AI float32x4_t ld4(const void *rows, int64_t i, const int F16) {
    return F16 ? vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)rows + i))) : vld1q_f32((const float *)rows + i);
}
PL_AI float ld1(const void *rows, int64_t i, const int F16) {
    return F16 ? pl_fp16_to_fp32(((const uint16_t *)rows)[i]) : ((const float *)rows)[i];
}

/* out[h][c] = dot(q[h], row kr[c] of k) (unscaled) for H heads and R rows: 8 accumulators */
PL_AI void scores_tile(const float *const q[2], const void *k, const int64_t kr[8], int32_t hd, float out[2][8], const int H,
                       const int R, const int F16) {
    float32x4_t a[2][8];
    for (int h = 0; h < H; h++)
        for (int c = 0; c < R; c++) a[h][c] = vdupq_n_f32(0.0f);
    int32_t d = 0;
    for (; d + 4 <= hd; d += 4) {
        float32x4_t x[2];
        for (int h = 0; h < H; h++) x[h] = vld1q_f32(q[h] + d);
        for (int c = 0; c < R; c++) {
            const float32x4_t kv = ld4(k, kr[c] * hd + d, F16);
            for (int h = 0; h < H; h++) a[h][c] = vfmaq_f32(a[h][c], x[h], kv);
        }
    }
    for (int h = 0; h < H; h++)
        for (int c = 0; c < R; c++) out[h][c] = vaddvq_f32(a[h][c]); /* pairwise: (x0+x1)+(x2+x3) */
    for (; d < hd; d++)
        for (int h = 0; h < H; h++)
            for (int c = 0; c < R; c++) out[h][c] = fmaf(q[h][d], ld1(k, kr[c] * hd + d, F16), out[h][c]);
}

/* Dims [d, d + 4W) of H heads' accumulators over all n rows, in registers. */
PL_AI void values_tile(float *const acc[2], const float *const w[2], const void *v, int32_t n, int32_t hd, int32_t d,
                       const int H, const int W, const int F16) {
    float32x4_t x[2][4];
    for (int h = 0; h < H; h++)
        for (int c = 0; c < W; c++) x[h][c] = vld1q_f32(acc[h] + d + 4 * c);
    for (int32_t r = 0; r < n; r++) {
        float f[2];
        for (int h = 0; h < H; h++) f[h] = w[h][r];
        for (int c = 0; c < W; c++) {
            const float32x4_t vv = ld4(v, (int64_t)r * hd + d + 4 * c, F16);
            for (int h = 0; h < H; h++) x[h][c] = vfmaq_n_f32(x[h][c], vv, f[h]);
        }
    }
    for (int h = 0; h < H; h++)
        for (int c = 0; c < W; c++) vst1q_f32(acc[h] + d + 4 * c, x[h][c]);
}

/* the head and dim loops around these tiles, and the table entries */
#define PL_ATTN_LANES 4
#include "attention_tiles.h"

void pl_neon_install_attention(pl_kernels *k) {
    k->attn_scores = attn_scores;
    k->attn_values = attn_values;
}
