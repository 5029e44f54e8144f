/*
 * AVX2 + FMA attention kernels: the scores of a KV group's query heads against a block of cache rows
 * (K.Q), and those heads' softmax weights times the block's V rows. One call covers a whole block and
 * every head of the group, so each cache row is loaded from L1 once per pair of heads instead of
 * once per head through a call per (head, row): decode at 2048 positions spent most of its attention
 * time in those calls.
 *
 * Bits: a score is one 8-lane FMA chain over the head dims, reduced ((x0+x1)+(x2+x3)) +
 * ((x4+x5)+(x6+x7)), then odd dims with scalar FMAs, then times scale: the same whichever tile
 * (pair of heads, group of 4 rows) computed it. A value element is one FMA per row, rows ascending.
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

/* dot(qa, kr[c]) and dot(qb, kr[c]) for c = 0..3 (unscaled) */
AI void scores_2x4(const float *qa, const float *qb, const float *const kr[4], int32_t hd, float out[2][4]) {
    __m256 a[2][4];
    for (int c = 0; c < 4; c++) a[0][c] = a[1][c] = _mm256_setzero_ps();
    int32_t d = 0;
    for (; d + 8 <= hd; d += 8) {
        const __m256 x = _mm256_loadu_ps(qa + d), y = _mm256_loadu_ps(qb + d);
        for (int c = 0; c < 4; c++) {
            const __m256 kv = _mm256_loadu_ps(kr[c] + d);
            a[0][c] = _mm256_fmadd_ps(x, kv, a[0][c]);
            a[1][c] = _mm256_fmadd_ps(y, kv, a[1][c]);
        }
    }
    _mm_storeu_ps(out[0], hsum8x4(a[0][0], a[0][1], a[0][2], a[0][3]));
    _mm_storeu_ps(out[1], hsum8x4(a[1][0], a[1][1], a[1][2], a[1][3]));
    for (; d < hd; d++)
        for (int c = 0; c < 4; c++) {
            out[0][c] = fmaf(qa[d], kr[c][d], out[0][c]);
            out[1][c] = fmaf(qb[d], kr[c][d], out[1][c]);
        }
}

/* Heads two at a time, rows four at a time (a lone head or short last group repeats a row; its
 * results are dropped). */
static void attn_scores(const float *q, int32_t n_q, const float *k, int32_t n, int32_t hd, float scale, float *s,
                        int64_t lds) {
    for (int32_t i = 0; i < n_q; i += 2) {
        const float *qa = q + (int64_t)i * hd, *qb = i + 1 < n_q ? qa + hd : qa;
        for (int32_t r = 0; r < n; r += 4) {
            const float *kr[4];
            for (int c = 0; c < 4; c++) kr[c] = k + (int64_t)(r + c < n ? r + c : r) * hd;
            float out[2][4];
            scores_2x4(qa, qb, kr, hd, out);
            const int m = n - r < 4 ? n - r : 4;
            for (int c = 0; c < m; c++) {
                s[i * lds + r + c] = out[0][c] * scale;
                if (i + 1 < n_q) s[(i + 1) * lds + r + c] = out[1][c] * scale;
            }
        }
    }
}

/* Dims [d, d + 8W) of two heads' accumulators (ab NULL: one head) over all n rows, in registers. */
AI void values_2xw(float *aa, float *ab, const float *wa, const float *wb, const float *v, int32_t n, int32_t hd,
                   int32_t d, const int W) {
    __m256 x[4], y[4];
    for (int c = 0; c < W; c++) {
        x[c] = _mm256_loadu_ps(aa + d + 8 * c);
        y[c] = ab ? _mm256_loadu_ps(ab + d + 8 * c) : _mm256_setzero_ps();
    }
    for (int32_t r = 0; r < n; r++) {
        const float *vr = v + (int64_t)r * hd + d;
        const __m256 fa = _mm256_broadcast_ss(wa + r), fb = _mm256_broadcast_ss(wb + r);
        for (int c = 0; c < W; c++) {
            const __m256 vv = _mm256_loadu_ps(vr + 8 * c);
            x[c] = _mm256_fmadd_ps(fa, vv, x[c]);
            y[c] = _mm256_fmadd_ps(fb, vv, y[c]);
        }
    }
    for (int c = 0; c < W; c++) {
        _mm256_storeu_ps(aa + d + 8 * c, x[c]);
        if (ab) _mm256_storeu_ps(ab + d + 8 * c, y[c]);
    }
}

static void attn_values(float *acc, int32_t n_q, const float *w, int64_t ldw, const float *v, int32_t n, int32_t hd) {
    for (int32_t i = 0; i < n_q; i += 2) {
        float *aa = acc + (int64_t)i * hd, *ab = i + 1 < n_q ? aa + hd : NULL;
        const float *wa = w + i * ldw, *wb = ab ? wa + ldw : wa;
        int32_t d = 0;
        for (; d + 32 <= hd; d += 32) values_2xw(aa, ab, wa, wb, v, n, hd, d, 4);
        for (; d + 8 <= hd; d += 8) values_2xw(aa, ab, wa, wb, v, n, hd, d, 1);
        for (; d < hd; d++)
            for (int32_t r = 0; r < n; r++) {
                aa[d] = fmaf(wa[r], v[(int64_t)r * hd + d], aa[d]);
                if (ab) ab[d] = fmaf(wb[r], v[(int64_t)r * hd + d], ab[d]);
            }
    }
}

void pl_attention_install_avx2(pl_kernels *k) {
    k->attn_scores = attn_scores;
    k->attn_values = attn_values;
}
