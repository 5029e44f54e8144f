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

/* Rows [0, n) for H heads from head i, R rows per tile (a short last tile repeats a row; dropped). */
PL_AI void scores_heads(const float *q, int32_t i, const void *k, int32_t n, int32_t hd, float scale, float *s, int64_t lds,
                        const int H, const int R, const int F16) {
    const float *qh[2] = {q + (int64_t)i * hd, q + (int64_t)(i + H - 1) * hd};
    for (int32_t r = 0; r < n; r += R) {
        int64_t kr[8];
        for (int c = 0; c < R; c++) kr[c] = r + c < n ? r + c : r;
        float out[2][8];
        scores_tile(qh, k, kr, hd, out, H, R, F16);
        const int m = n - r < R ? n - r : R;
        for (int h = 0; h < H; h++)
            for (int c = 0; c < m; c++) s[(i + h) * lds + r + c] = out[h][c] * scale;
    }
}

/* Heads two at a time (4 rows per tile); a lone head takes 8 rows per tile. */
PL_AI void scores_all(const float *q, int32_t n_q, const void *k, int32_t n, int32_t hd, float scale, float *s, int64_t lds,
                      const int F16) {
    int32_t i = 0;
    for (; i + 2 <= n_q; i += 2) scores_heads(q, i, k, n, hd, scale, s, lds, 2, 4, F16);
    if (i < n_q) scores_heads(q, i, k, n, hd, scale, s, lds, 1, 8, F16);
}

static void attn_scores(const float *q, int32_t n_q, const void *k, int32_t k_f16, int32_t n, int32_t hd, float scale,
                        float *s, int64_t lds) {
    if (k_f16) scores_all(q, n_q, k, n, hd, scale, s, lds, 1);
    else scores_all(q, n_q, k, n, hd, scale, s, lds, 0);
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

PL_AI void values_heads(float *acc, int32_t i, const float *w, int64_t ldw, const void *v, int32_t n, int32_t hd, const int H,
                        const int F16) {
    float *const a[2] = {acc + (int64_t)i * hd, acc + (int64_t)(i + H - 1) * hd};
    const float *const wh[2] = {w + i * ldw, w + (i + H - 1) * ldw};
    int32_t d = 0;
    for (; d + 16 <= hd; d += 16) values_tile(a, wh, v, n, hd, d, H, 4, F16);
    for (; d + 4 <= hd; d += 4) values_tile(a, wh, v, n, hd, d, H, 1, F16);
    for (; d < hd; d++)
        for (int h = 0; h < H; h++)
            for (int32_t r = 0; r < n; r++) a[h][d] = fmaf(wh[h][r], ld1(v, (int64_t)r * hd + d, F16), a[h][d]);
}

/* Heads two at a time, then a lone head. */
PL_AI void values_all(float *acc, int32_t n_q, const float *w, int64_t ldw, const void *v, int32_t n, int32_t hd,
                      const int F16) {
    int32_t i = 0;
    for (; i + 2 <= n_q; i += 2) values_heads(acc, i, w, ldw, v, n, hd, 2, F16);
    if (i < n_q) values_heads(acc, i, w, ldw, v, n, hd, 1, F16);
}

static void attn_values(float *acc, int32_t n_q, const float *w, int64_t ldw, const void *v, int32_t v_f16, int32_t n,
                        int32_t hd) {
    if (v_f16) values_all(acc, n_q, w, ldw, v, n, hd, 1);
    else values_all(acc, n_q, w, ldw, v, n, hd, 0);
}

void pl_neon_install_attention(pl_kernels *k) {
    k->attn_scores = attn_scores;
    k->attn_values = attn_values;
}
