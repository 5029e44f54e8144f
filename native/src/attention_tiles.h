/*
 * attention_tiles.h — the ISA-independent half of the SIMD attention kernels (included, not compiled
 * on its own). The includer first defines, for its vector width:
 *   PL_ATTN_LANES                 floats per vector;
 *   ld1(rows, i, F16)             element i of cache rows, F32 or F16 widened;
 *   scores_tile(q, k, kr, hd, out, H, R, F16)
 *                                 out[h][c] = dot(q[h], row kr[c] of k), unscaled, H heads x R rows;
 *   values_tile(acc, w, v, n, hd, d, H, W, F16)
 *                                 dims [d, d + W x PL_ATTN_LANES) of H heads' accumulators += w x V rows.
 * This file walks heads two at a time (2 heads x 4 rows per score tile), then a lone head (8 rows),
 * and defines the table's attn_scores and attn_values from them.
 */
#ifndef PL_ATTENTION_TILES_H
#define PL_ATTENTION_TILES_H

#define PL_ATTN_AI static inline __attribute__((always_inline))

/* Rows [0, n) for H heads from head i, R rows per tile (a short last tile repeats a row; dropped). */
PL_ATTN_AI void scores_heads(const float *q, int32_t i, const void *k, int32_t n, int32_t hd, float scale, float *s,
                             int64_t lds, const int H, const int R, const int F16) {
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
PL_ATTN_AI void scores_all(const float *q, int32_t n_q, const void *k, int32_t n, int32_t hd, float scale, float *s,
                           int64_t lds, const int F16) {
    int32_t i = 0;
    for (; i + 2 <= n_q; i += 2) scores_heads(q, i, k, n, hd, scale, s, lds, 2, 4, F16);
    if (i < n_q) scores_heads(q, i, k, n, hd, scale, s, lds, 1, 8, F16);
}

static void attn_scores(const float *q, int32_t n_q, const void *k, int32_t k_f16, int32_t n, int32_t hd, float scale,
                        float *s, int64_t lds) {
    if (k_f16) scores_all(q, n_q, k, n, hd, scale, s, lds, 1);
    else scores_all(q, n_q, k, n, hd, scale, s, lds, 0);
}

/* H heads from head i: 4 vectors of dims per tile, then single vectors, then scalar dims. */
PL_ATTN_AI void values_heads(float *acc, int32_t i, const float *w, int64_t ldw, const void *v, int32_t n, int32_t hd,
                             const int H, const int F16) {
    float *const a[2] = {acc + (int64_t)i * hd, acc + (int64_t)(i + H - 1) * hd};
    const float *const wh[2] = {w + i * ldw, w + (i + H - 1) * ldw};
    int32_t d = 0;
    for (; d + 4 * PL_ATTN_LANES <= hd; d += 4 * PL_ATTN_LANES) values_tile(a, wh, v, n, hd, d, H, 4, F16);
    for (; d + PL_ATTN_LANES <= hd; d += PL_ATTN_LANES) values_tile(a, wh, v, n, hd, d, H, 1, F16);
    for (; d < hd; d++)
        for (int h = 0; h < H; h++)
            for (int32_t r = 0; r < n; r++) a[h][d] = fmaf(wh[h][r], ld1(v, (int64_t)r * hd + d, F16), a[h][d]);
}

/* Heads two at a time, then a lone head. */
PL_ATTN_AI void values_all(float *acc, int32_t n_q, const float *w, int64_t ldw, const void *v, int32_t n, int32_t hd,
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

#endif /* PL_ATTENTION_TILES_H */
