/*
 * AVX2 + FMA attention kernels: the scores of a KV group's query heads against a block of cache rows
 * (K.Q), and those heads' softmax weights times the block's V rows. One call covers a whole block and
 * every head of the group, so each cache row is loaded from L1 once per pair of heads instead of
 * once per head through a call per (head, row): decode at 2048 positions spent most of its attention
 * time in those calls. F16 rows are read in place, converted in registers (exactly), so an F16
 * cache is never copied.
 *
 * Bits: a score is one 8-lane FMA chain over the head dims, reduced ((x0+x1)+(x2+x3)) +
 * ((x4+x5)+(x6+x7)), then odd dims with scalar FMAs, then times scale: the same whichever tile
 * (2 heads x 4 rows, or 1 head x 8 rows) computed it. A value element is one FMA per row, rows ascending.
 */
#include <immintrin.h>
#include <math.h>

#include "pl_internal.h"

#define AI static inline __attribute__((always_inline))

/* lane i = ((x0+x1)+(x2+x3)) + ((x4+x5)+(x6+x7)) of a_i, for 4 vectors at once */
AI __m128 hsum8x4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/* 8 elements of cache rows from element i: F32, or F16 converted (exactly) */
AI __m256 ld8(const void *rows, int64_t i, const int F16) {
    return F16 ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)((const uint16_t *)rows + i)))
               : _mm256_loadu_ps((const float *)rows + i);
}
AI float ld1(const void *rows, int64_t i, const int F16) {
    return F16 ? _cvtsh_ss(((const uint16_t *)rows)[i]) : ((const float *)rows)[i];
}

/* out[h][c] = dot(q[h], row kr[c] of k) (unscaled) for H heads and R rows: 8 accumulators (2 x 4 or 1 x 8) */
AI void scores_tile(const float *const q[2], const void *k, const int64_t kr[8], int32_t hd, float out[2][8], const int H,
                    const int R, const int F16) {
    __m256 a[2][8];
    for (int h = 0; h < H; h++)
        for (int c = 0; c < R; c++) a[h][c] = _mm256_setzero_ps();
    int32_t d = 0;
    for (; d + 8 <= hd; d += 8) {
        __m256 x[2];
        for (int h = 0; h < H; h++) x[h] = _mm256_loadu_ps(q[h] + d);
        for (int c = 0; c < R; c++) {
            const __m256 kv = ld8(k, kr[c] * hd + d, F16);
            for (int h = 0; h < H; h++) a[h][c] = _mm256_fmadd_ps(x[h], kv, a[h][c]);
        }
    }
    for (int h = 0; h < H; h++)
        for (int c = 0; c < R; c += 4) _mm_storeu_ps(out[h] + c, hsum8x4(a[h][c], a[h][c + 1], a[h][c + 2], a[h][c + 3]));
    for (; d < hd; d++)
        for (int h = 0; h < H; h++)
            for (int c = 0; c < R; c++) out[h][c] = fmaf(q[h][d], ld1(k, kr[c] * hd + d, F16), out[h][c]);
}

/* Dims [d, d + 8W) of H heads' accumulators over all n rows, in registers. */
AI void values_tile(float *const acc[2], const float *const w[2], const void *v, int32_t n, int32_t hd, int32_t d,
                    const int H, const int W, const int F16) {
    __m256 x[2][4];
    for (int h = 0; h < H; h++)
        for (int c = 0; c < W; c++) x[h][c] = _mm256_loadu_ps(acc[h] + d + 8 * c);
    for (int32_t r = 0; r < n; r++) {
        __m256 f[2];
        for (int h = 0; h < H; h++) f[h] = _mm256_broadcast_ss(w[h] + r);
        for (int c = 0; c < W; c++) {
            const __m256 vv = ld8(v, (int64_t)r * hd + d + 8 * c, F16);
            for (int h = 0; h < H; h++) x[h][c] = _mm256_fmadd_ps(f[h], vv, x[h][c]);
        }
    }
    for (int h = 0; h < H; h++)
        for (int c = 0; c < W; c++) _mm256_storeu_ps(acc[h] + d + 8 * c, x[h][c]);
}

/* the head and dim loops around these tiles, and the table entries */
#define PL_ATTN_LANES 8
#include "attention_tiles.h"

void pl_attention_install_avx2(pl_kernels *k) {
    k->attn_scores = attn_scores;
    k->attn_values = attn_values;
}
