/*
 * q8_tiles.h — the quantized matmul kernels shared by the AVX2 and AVX-512 files (included, not
 * compiled on its own; each includer sets PL_VNNI, PL_DEC_RM and PL_GEMM_PTN).
 *
 * Activations are quantized once per call exactly as ggml's AVX2 quantize_row_q8_0/q8_1 do
 * (x * 127/amax, round to nearest even, scale and sum stored as f16), but laid out for the tiles:
 *   int8 qs[k] | float d[k/32] | float s[k/32] | int32 sum[k/32] | int16 off16[k/32][2] | int32 lanes8[k/32][8]
 * (d, s: the f16-rounded values, as f32; sum: the exact sum of the block's codes; off16: minus 8 times
 * the sums of codes {4i, 4i+1} and of {4i+2, 4i+3} over i, the Q4_0 offset of the GEMM's two 16-bit
 * lanes; lanes8: 8 times the sums of codes 4i..4i+3, the Q4_0 offset per dot-product lane), so the
 * inner loops never convert an activation scale.
 *
 * Dot products follow ggml's AVX2 vec_dot: per block, int8 products summed four at a time into
 * 8 int32 lanes (maddubs+madd, or one vpdpbusd with VNNI: the same integers), converted to float,
 * scaled by (dx * dy) and accumulated with FMA; the 8 lanes are reduced at the end. Each output of a
 * tile has its own accumulator and sees the same instruction sequence whatever the tile shape,
 * so results never depend on tiling or thread count.
 */
#ifndef PL_Q8_TILES_H
#define PL_Q8_TILES_H

#include <immintrin.h>

#include "pl_internal.h"

#define AI static inline __attribute__((always_inline))
#define PL_ACT_BLOCK_BYTES 80 /* 32 int8 + f32 d + f32 s + int32 sum(q) + 2 x int16 offsets + 8 x int32 lane sums * 8 */

AI float q8t_hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

AI float q8t_f16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* f16 rounding of a float, back as float */
AI float q8t_round_f16(float f) { return _cvtsh_ss((unsigned short)_cvtss_sh(f, 0)); }

/* 16 bytes of nibbles -> 32 codes 0..15: low nibbles (elements 0..15), then high (16..31). The
 * 16 bytes are broadcast to both 128-bit lanes and the upper lane shifted by 4: no shuffle port. */
AI __m256i q8t_nibbles(const uint8_t *qs) {
    const __m256i x = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)qs));
    return _mm256_and_si256(_mm256_srlv_epi32(x, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4)), _mm256_set1_epi8(0x0f));
}

/* Q5_0 / Q5_1: the nibbles plus 16 where bit i of the 32-bit qh is set (byte i = element i). */
AI __m256i q8t_fives(const uint8_t *qh4, const uint8_t *qs) {
    uint32_t qh;
    memcpy(&qh, qh4, 4);
    /* byte i <- qh byte i/8, then keep bit i%8 */
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh),
                                               _mm256_setr_epi64x(0, 0x0101010101010101ll, 0x0202020202020202ll, 0x0303030303030303ll));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_or_si256(q8t_nibbles(qs), _mm256_and_si256(set, _mm256_set1_epi8(16)));
}

/* weight kinds of the tiles: Q5_0 pairs with Q8_0 activations, Q5_1 with Q8_1 */
enum { Q8T_Q40 = 0, Q8T_Q80 = 1, Q8T_Q41 = 2, Q8T_Q50 = 3, Q8T_Q51 = 4 };

AI int q8t_block_bytes(int kind) {
    return kind == Q8T_Q40 ? PL_Q4_0_BYTES : kind == Q8T_Q80 ? PL_Q8_0_BYTES : kind == Q8T_Q41 ? PL_Q4_1_BYTES
         : kind == Q8T_Q50 ? PL_Q5_0_BYTES : PL_Q5_1_BYTES;
}
AI int q8t_has_min(int kind) { return kind == Q8T_Q41 || kind == Q8T_Q51; }

AI __m256i q8t_dot_u8s8(__m256i u, __m256i s) {
#if PL_VNNI
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
#endif
}

AI int q8t_hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

/* One row of k floats -> the split Q8 layout; with_sum also stores s = f16(d * sum(q)). */
AI void q8t_quantize_row(const float *x, uint8_t *dst, int64_t k, int with_sum) {
    const int64_t nb = k / PL_QK;
    float *dd = (float *)(void *)(dst + k), *ss = dd + nb;
    int32_t *is = (int32_t *)(void *)(ss + nb);
    int32_t *off16 = is + nb;
    uint8_t *lanes8 = (uint8_t *)(off16 + nb);
    for (int64_t b = 0; b < nb; b++, x += PL_QK) {
        __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
        __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        const __m256 sign = _mm256_set1_ps(-0.0f);
        __m256 m = _mm256_andnot_ps(sign, v0);
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v1));
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v2));
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v3));
        __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float d = amax / 127.f;
        const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.f / amax : 0.0f);
        const int rnd = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, id), rnd));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, id), rnd));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, id), rnd));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, id), rnd));
        const int sum = q8t_hsum_i32(_mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3)));
        dd[b] = q8t_round_f16(d);
        ss[b] = with_sum ? q8t_round_f16(d * (float)sum) : 0.0f;
        is[b] = sum;
        i0 = _mm256_packs_epi32(i0, i1);
        i2 = _mm256_packs_epi32(i2, i3);
        i0 = _mm256_packs_epi16(i0, i2);
        i0 = _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(void *)(dst + b * PL_QK), i0);
        _mm256_storeu_si256((__m256i *)(void *)(lanes8 + 32 * b), q8t_dot_u8s8(_mm256_set1_epi8(8), i0));
        /* 16-bit j of 8 * (codes 2j + 2j+1); even j are the pairs {4i, 4i+1}, odd j {4i+2, 4i+3} */
        const __m256i p8 = _mm256_maddubs_epi16(_mm256_set1_epi8(8), i0);
        const int even = q8t_hsum_i32(_mm256_srai_epi32(_mm256_slli_epi32(p8, 16), 16));
        const int odd = q8t_hsum_i32(_mm256_srai_epi32(p8, 16));
        off16[b] = (int32_t)(((uint32_t)(uint16_t)(int16_t)-odd << 16) | (uint16_t)(int16_t)-even);
    }
}

static void q8t_act_q8_0(const float *x, void *dst, int64_t k) { q8t_quantize_row(x, (uint8_t *)dst, k, 0); }
static void q8t_act_q8_1(const float *x, void *dst, int64_t k) { q8t_quantize_row(x, (uint8_t *)dst, k, 1); }

/*
 * Decode (one token): RM rows at a time, one 8-lane accumulator per row, exactly ggml's AVX2
 * vec_dot arithmetic per row: lane sums of 4 products, scaled by (dx * dy), FMA-accumulated, then
 * reduced. Cheaper than ggml's instruction sequence for the same integers:
 *  - Q4_0 codes stay unsigned (0..15); the -8 offset is removed by subtracting 8 * (lane sums of
 *    the activation block), precomputed once per block when the activations are quantized;
 *  - nibbles unpack without a cross-lane shuffle (128-bit broadcast load, per-lane variable shift);
 *  - weight scales come from a 64K-entry f16 -> f32 table (as ggml's x86 scalar path does), and
 *    activation values are loaded and broadcast once per block for all RM rows.
 */
#define Q8T_MAXR 8
#ifndef PL_GEMV_PF_TILES
#define PL_GEMV_PF_TILES 1 /* long rows: prefetch this many tiles ahead */
#endif
#ifndef PL_GEMV_PF_DIST
#define PL_GEMV_PF_DIST 4096 /* bytes the linear software prefetch runs ahead of the weights being read */
#endif

AI void q8t_gemv_rows(int kind, int64_t k, const uint8_t *w, int64_t ws, const uint8_t *a, float *y, const int RM) {
    const int wb = q8t_block_bytes(kind);
    const int64_t nb = k / PL_QK;
    const float *ds = (const float *)(const void *)(a + k);
    const uint8_t *lanes8 = (const uint8_t *)(ds + 4 * nb);
    __m256 acc[Q8T_MAXR];
    float summs[Q8T_MAXR];
    for (int r = 0; r < RM; r++) {
        acc[r] = _mm256_setzero_ps();
        summs[r] = 0.0f;
    }
    /* Software prefetch, PL_GEMV_PF_DIST bytes or more ahead of the reads. Short rows: the RM rows are
     * one contiguous run of RM * ws bytes read as RM interleaved streams, too many for the hardware
     * prefetchers, so the prefetch walks that memory as one linear stream, RM * ws / nb bytes per
     * block. Long rows (a tile over twice the distance): each row is prefetched at the same block of
     * the next tile, one prefetch per cache line of the row (measured: short rows 4.3 -> 8.5 GB/s,
     * 4096-wide 3.7 -> 5.2 GB/s out of cache, one AVX2 thread). */
    const int64_t tile = RM * ws;
    const int linear = tile <= 2 * PL_GEMV_PF_DIST;
    const int64_t pf_step = tile / nb;
    uintptr_t pf_line = ((uintptr_t)w + PL_GEMV_PF_DIST) & ~(uintptr_t)63;
    const int pf_every = 64 / wb;
    for (int64_t b = 0; b < nb; b++) {
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(const void *)(a + b * PL_QK));
        const __m256 dy = _mm256_broadcast_ss(ds + b);
        if (linear) {
            const uintptr_t pf_end = (uintptr_t)w + PL_GEMV_PF_DIST + (uintptr_t)((b + 1) * pf_step);
            for (; pf_line < pf_end; pf_line += 64) _mm_prefetch((const char *)pf_line, _MM_HINT_T0);
        } else if (b % pf_every == 0) {
            for (int r = 0; r < RM; r++) _mm_prefetch((const char *)(w + PL_GEMV_PF_TILES * tile + r * ws + b * wb), _MM_HINT_T0);
        }
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * wb;
            uint16_t dh;
            memcpy(&dh, blk, 2);
            const __m256 dx = _mm256_broadcast_ss(&pl_fp16_table[dh]);
            __m256i p;
            if (kind == Q8T_Q40) {
                p = _mm256_sub_epi32(q8t_dot_u8s8(q8t_nibbles(blk + 2), qy),
                                     _mm256_loadu_si256((const __m256i *)(const void *)(lanes8 + 32 * b)));
            } else if (kind == Q8T_Q50) { /* codes 0..31, offset 16: twice the Q4_0 lane correction */
                p = _mm256_sub_epi32(q8t_dot_u8s8(q8t_fives(blk + 2, blk + 6), qy),
                                     _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(lanes8 + 32 * b)), 1));
            } else if (kind == Q8T_Q51) {
                uint16_t mh;
                memcpy(&mh, blk + 2, 2);
                p = q8t_dot_u8s8(q8t_fives(blk + 4, blk + 8), qy);
                summs[r] += pl_fp16_table[mh] * ds[nb + b];
            } else if (kind == Q8T_Q80) {
                const __m256i qx = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 2));
                p = q8t_dot_u8s8(_mm256_sign_epi8(qx, qx), _mm256_sign_epi8(qy, qx));
            } else {
                uint16_t mh;
                memcpy(&mh, blk + 2, 2);
                p = q8t_dot_u8s8(q8t_nibbles(blk + 4), qy);
                summs[r] += pl_fp16_table[mh] * ds[nb + b];
            }
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, dy), _mm256_cvtepi32_ps(p), acc[r]);
        }
    }
    for (int r = 0; r < RM; r++) y[r] = q8t_hsum8(acc[r]) + summs[r];
}

#define Q8T_DEFINE_GEMV(name, KIND)                                                                        \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
        for (int32_t t = 0; t < nt; t++) {                                                                 \
            int32_t r = 0;                                                                                 \
            for (; r + PL_DEC_RM <= nr; r += PL_DEC_RM)                                                    \
                q8t_gemv_rows(KIND, k, w + r * ws, ws, a + t * as, y + t * ldy + r, PL_DEC_RM);             \
            for (; r < nr; r++) q8t_gemv_rows(KIND, k, w + r * ws, ws, a + t * as, y + t * ldy + r, 1);     \
        }                                                                                                  \
    }

Q8T_DEFINE_GEMV(q8t_gemv_q4_0, 0)
Q8T_DEFINE_GEMV(q8t_gemv_q8_0, 1)
Q8T_DEFINE_GEMV(q8t_gemv_q4_1, 2)
Q8T_DEFINE_GEMV(q8t_gemv_q5_0, 3)
Q8T_DEFINE_GEMV(q8t_gemv_q5_1, 4)

/*
 * Prefill GEMM on panels: 8 weight rows are repacked (once per tile of up to 64 tokens) so that a
 * 32-byte vector holds 4 consecutive codes of each of the 8 rows; one broadcast of 4 activation
 * codes then yields the partial dot products of all 8 rows at once, accumulated as exact int32
 * block sums in 8 lanes (lane = row). Per block the sums are scaled by (dx * dy) with the rows'
 * scales in one vector, and accumulated with FMA per output, block after block. Q4_0 codes stay
 * unsigned (0..15) and the -8 offset is removed with the activation block's code sum; with VNNI,
 * Q8_0 codes are offset by +128 the same way (vpdpbusd takes unsigned x signed); AVX2 Q8_0 uses the
 * sign trick. Each (row, token) output gets the same instruction sequence whatever the tile.
 */
#define Q8T_PANEL_BLOCK 320 /* per block: 8 vectors of 8 rows x 4 codes, 8 f32 d, 8 f32 m */

AI void q8t_transpose8x8_epi32(__m256i r[8]) {
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* Repacks nrows (<= 8; missing rows are zero with zero scales) of nb blocks into a panel. */
AI void q8t_pack_panel(int kind, int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    const int wb = q8t_block_bytes(kind);
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *pb = panel + b * Q8T_PANEL_BLOCK;
        float *pd = (float *)(void *)(pb + 256), *pm = pd + 8;
        __m256i v[8];
        for (int r = 0; r < 8; r++) {
            if (r >= nrows) {
                v[r] = _mm256_setzero_si256();
                pd[r] = pm[r] = 0.0f;
                continue;
            }
            const uint8_t *blk = w + r * ws + b * wb;
            pd[r] = q8t_f16(blk);
            if (kind == Q8T_Q41) {
                pm[r] = q8t_f16(blk + 2);
                v[r] = q8t_nibbles(blk + 4);
            } else if (kind == Q8T_Q40) {
                pm[r] = 0.0f;
                v[r] = q8t_nibbles(blk + 2);
            } else if (kind == Q8T_Q50) {
                pm[r] = 0.0f;
                v[r] = q8t_fives(blk + 2, blk + 6);
            } else if (kind == Q8T_Q51) {
                pm[r] = q8t_f16(blk + 2);
                v[r] = q8t_fives(blk + 4, blk + 8);
            } else {
                pm[r] = 0.0f;
                v[r] = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 2));
#if PL_VNNI
                v[r] = _mm256_xor_si256(v[r], _mm256_set1_epi8((char)0x80)); /* q + 128 as unsigned */
#endif
            }
        }
        q8t_transpose8x8_epi32(v);
        for (int g = 0; g < 8; g++) _mm256_storeu_si256((__m256i *)(void *)(pb + 32 * g), v[g]);
    }
}

/*
 * Without VNNI the Q4_0 tiles start each block's 16-bit sums at the activation's off16 (minus 8 x the
 * codes each 16-bit lane meets) instead of subtracting 8 x sum(y) after widening: one operation fewer
 * per output and block. The adds wrap modulo 2^16, and the final lane value sum((q - 8) * y) over 16
 * codes is within 16 * 8 * 127, so it is exact although partial sums may wrap.
 */
AI __m256i q8t_q4_0_offset16(const uint8_t *a, int64_t k, int64_t b) {
    return _mm256_set1_epi32(((const int32_t *)(const void *)(a + k))[3 * (k / PL_QK) + b]); /* d, s, sum, off16 */
}

/*
 * The tiles' 8 groups are unrolled fully: the loop-carried sums then stay in their registers (with
 * a rolled or twice-unrolled loop GCC copies each sum to a new register every group, 6 extra moves
 * per 12 multiplies). q8t_keep after each group stops GCC from reassociating the exact int sums
 * into spilled temporaries; it emits no instruction. (Q4_0 pair tile: +7% best, +12% mean of 16.)
 */
AI void q8t_keep(__m256i *v) { __asm__("" : "+x"(*v)); }

/* One panel (8 rows) x TN tokens; writes rows [0, nrows). */
AI void q8t_panel_tile(int kind, int64_t k, const uint8_t *panel, const uint8_t *a, int64_t as, float *y, int64_t ldy,
                       int32_t nrows, const int TN) {
    const int64_t nb = k / PL_QK;
    __m256 acc[PL_GEMM_PTN], sm[PL_GEMM_PTN];
    for (int t = 0; t < TN; t++) acc[t] = sm[t] = _mm256_setzero_ps();
    const int five = kind == Q8T_Q50 || kind == Q8T_Q51;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *pb = panel + b * Q8T_PANEL_BLOCK;
        __m256i isum[PL_GEMM_PTN], wide[PL_GEMM_PTN];
        for (int t = 0; t < TN; t++) isum[t] = wide[t] = _mm256_setzero_si256();
#if !PL_VNNI
        if (kind == Q8T_Q40) /* start the 16-bit sums at minus the code offset (see q8t_q4_0_offset16) */
            for (int t = 0; t < TN; t++) isum[t] = q8t_q4_0_offset16(a + t * as, k, b);
#endif
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            const __m256i wv = _mm256_loadu_si256((const __m256i *)(const void *)(pb + 32 * g));
#if !PL_VNNI
            const __m256i aw = kind == Q8T_Q80 ? _mm256_sign_epi8(wv, wv) : wv;
#endif
            for (int t = 0; t < TN; t++) {
                int32_t y4;
                memcpy(&y4, a + t * as + b * PL_QK + 4 * g, 4);
                const __m256i yb = _mm256_set1_epi32(y4);
#if PL_VNNI
                isum[t] = _mm256_dpbusd_epi32(isum[t], wv, yb);
#else
                if (kind == Q8T_Q80) {
                    const __m256i ys = _mm256_sign_epi8(yb, wv);
                    isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, ys), _mm256_set1_epi16(1)));
                } else {
                    /* 4-bit codes: |pair sum| <= 2*15*127, so 8 of them still fit int16: widen once per block */
                    isum[t] = _mm256_add_epi16(_mm256_maddubs_epi16(aw, yb), isum[t]);
                }
#endif
            }
            for (int t = 0; t < TN; t++) q8t_keep(&isum[t]);
#if !PL_VNNI
            /* 5-bit codes: |pair sum| <= 2*31*127, only 4 fit int16: widen after each half block */
            if (five && g == 3)
                for (int t = 0; t < TN; t++) {
                    wide[t] = _mm256_madd_epi16(isum[t], _mm256_set1_epi16(1));
                    isum[t] = _mm256_setzero_si256();
                }
#endif
        }
#if !PL_VNNI
        if (kind != Q8T_Q80)
            for (int t = 0; t < TN; t++) isum[t] = _mm256_add_epi32(wide[t], _mm256_madd_epi16(isum[t], _mm256_set1_epi16(1)));
#else
        (void)wide;
        (void)five;
#endif
        const __m256 dx = _mm256_loadu_ps((const float *)(const void *)(pb + 256));
        /* the code offset (8, 16, 128) times the block's activation code sum: broadcast from memory, shifted */
        const int off_shift = kind == Q8T_Q40 ? (PL_VNNI ? 3 : 0) : kind == Q8T_Q50 ? 4 : (kind == Q8T_Q80 && PL_VNNI) ? 7 : 0;
        for (int t = 0; t < TN; t++) {
            const float *ds = (const float *)(const void *)(a + t * as + k);
            __m256i iv = isum[t];
            if (off_shift)
                iv = _mm256_sub_epi32(iv, _mm256_slli_epi32(_mm256_set1_epi32(((const int32_t *)(const void *)(ds + 2 * nb))[b]),
                                                            off_shift));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(ds[b])), _mm256_cvtepi32_ps(iv), acc[t]);
            if (q8t_has_min(kind))
                sm[t] = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(pb + 288)), _mm256_set1_ps(ds[nb + b]),
                                        sm[t]);
        }
    }
    for (int t = 0; t < TN; t++) {
        float out[8];
        _mm256_storeu_ps(out, q8t_has_min(kind) ? _mm256_add_ps(acc[t], sm[t]) : acc[t]);
        for (int r = 0; r < nrows; r++) y[t * ldy + r] = out[r];
    }
}

/*
 * Repacked weights (PL_TYPE_Q4_0/Q4_1/Q5_0/Q5_1_X8, laid out by repack.c): a panel block holds the 8 rows'
 * f16 scales (Q4_1/Q5_1: then their mins), Q5's 8 32-bit qh, and 4 groups of 32 bytes, lane r of group h =
 * bytes 4h..4h+3 of row r's codes (low nibbles: elements 4h..4h+3; high nibbles: 16+4h..16+4h+3). Decode keeps one row
 * per lane: 8 multiply-adds of broadcast activations give the 8 rows' exact block sums, and the
 * scaling is one vector operation for the 8 rows, exactly as the panel GEMM does per token (so
 * decode and prefill of a token agree bit for bit). The panel is one linear stream for the
 * hardware prefetcher.
 */
/* bytes of a repacked panel block's 8 f16 scales (d, and m), and of its 8 rows' 32-bit qh (Q5_0, Q5_1) */
AI int q8t_x8_scale_bytes(int kind) { return q8t_has_min(kind) ? 32 : 16; }
AI int q8t_x8_qh_bytes(int kind) { return kind == Q8T_Q50 || kind == Q8T_Q51 ? 32 : 0; }
#ifndef PL_X8_PF_DIST
#define PL_X8_PF_DIST 4096 /* bytes the software prefetch runs ahead of the panel being read */
#endif

/* 16 in byte i of lane r where bit (shift + i) of row r's qh is set: the 5th bits of 4 codes per row */
AI __m256i q8t_x8_fifth(__m256i qh, int shift) {
    const __m256i nib = _mm256_srl_epi32(qh, _mm_cvtsi32_si128(shift));
    const __m256i spread = _mm256_shuffle_epi8(nib, _mm256_setr_epi32(0, 0x04040404, 0x08080808, 0x0c0c0c0c, 0, 0x04040404,
                                                                      0x08080808, 0x0c0c0c0c)); /* byte 0 of each lane */
    const __m256i bit = _mm256_set1_epi32(0x08040201);
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(16));
}

AI void q8t_gemv_x8_panel(int kind, int64_t k, const uint8_t *p, const uint8_t *a, float *y, int32_t nrows) {
    const int64_t nb = k / PL_QK;
    const int sb = q8t_x8_scale_bytes(kind), hb = q8t_x8_qh_bytes(kind), pbytes = sb + hb + 128;
    const float *ds = (const float *)(const void *)(a + k);
    const int32_t *ysum = (const int32_t *)(const void *)(ds + 2 * nb);
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256 acc = _mm256_setzero_ps(), sm = _mm256_setzero_ps();
    uintptr_t pf_line = ((uintptr_t)p + PL_X8_PF_DIST) & ~(uintptr_t)63;
    for (int64_t b = 0; b < nb; b++, p += pbytes) {
        const uint8_t *ab = a + b * PL_QK;
        __m256i s = _mm256_setzero_si256(), wide = _mm256_setzero_si256();
        const __m256i qh = hb ? _mm256_loadu_si256((const __m256i *)(const void *)(p + sb)) : _mm256_setzero_si256();
        for (; pf_line < (uintptr_t)p + pbytes + PL_X8_PF_DIST; pf_line += 64) _mm_prefetch((const char *)pf_line, _MM_HINT_T0);
        for (int h = 0; h < 4; h++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + sb + hb + 32 * h));
            int32_t y0, y1;
            memcpy(&y0, ab + 4 * h, 4);
            memcpy(&y1, ab + 16 + 4 * h, 4);
            __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            if (hb) {
                lo = _mm256_or_si256(lo, q8t_x8_fifth(qh, 4 * h));
                hi = _mm256_or_si256(hi, q8t_x8_fifth(qh, 16 + 4 * h));
            }
#if PL_VNNI
            s = _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(s, lo, _mm256_set1_epi32(y0)), hi, _mm256_set1_epi32(y1));
#else
            /* |pair sum| <= 2*15*127 (5-bit: 2*31*127): 8 (4) products per lane fit int16 before widening */
            s = _mm256_add_epi16(s, _mm256_maddubs_epi16(lo, _mm256_set1_epi32(y0)));
            s = _mm256_add_epi16(s, _mm256_maddubs_epi16(hi, _mm256_set1_epi32(y1)));
            if (hb && h == 1) {
                wide = _mm256_madd_epi16(s, _mm256_set1_epi16(1));
                s = _mm256_setzero_si256();
            }
#endif
        }
#if !PL_VNNI
        s = _mm256_add_epi32(wide, _mm256_madd_epi16(s, _mm256_set1_epi16(1)));
#else
        (void)wide;
#endif
        if (kind == Q8T_Q40 || kind == Q8T_Q50) /* codes offset by 8 (16): minus that x the activation code sum */
            s = _mm256_sub_epi32(s, _mm256_slli_epi32(_mm256_set1_epi32(ysum[b]), kind == Q8T_Q40 ? 3 : 4));
        const __m256 dx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)p));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(ds[b])), _mm256_cvtepi32_ps(s), acc);
        if (q8t_has_min(kind))
            sm = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + 16))),
                                 _mm256_set1_ps(ds[nb + b]), sm);
    }
    float out[8];
    _mm256_storeu_ps(out, q8t_has_min(kind) ? _mm256_add_ps(acc, sm) : acc);
    for (int r = 0; r < nrows; r++) y[r] = out[r];
}

/* A repacked panel block -> the GEMM's panel block (codes one per byte, with their 5th bits; scales as f32). */
AI void q8t_unpack_x8(int kind, int64_t nb, const uint8_t *p, uint8_t *panel) {
    const int sb = q8t_x8_scale_bytes(kind), hb = q8t_x8_qh_bytes(kind), pbytes = sb + hb + 128;
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int64_t b = 0; b < nb; b++, p += pbytes) {
        uint8_t *pb = panel + b * Q8T_PANEL_BLOCK;
        const __m256i qh = hb ? _mm256_loadu_si256((const __m256i *)(const void *)(p + sb)) : _mm256_setzero_si256();
        for (int h = 0; h < 4; h++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + sb + hb + 32 * h));
            __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            if (hb) {
                lo = _mm256_or_si256(lo, q8t_x8_fifth(qh, 4 * h));
                hi = _mm256_or_si256(hi, q8t_x8_fifth(qh, 16 + 4 * h));
            }
            _mm256_storeu_si256((__m256i *)(void *)(pb + 32 * h), lo);
            _mm256_storeu_si256((__m256i *)(void *)(pb + 32 * (h + 4)), hi);
        }
        _mm256_storeu_ps((float *)(void *)(pb + 256), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)p)));
        _mm256_storeu_ps((float *)(void *)(pb + 288), q8t_has_min(kind)
                             ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)))
                             : _mm256_setzero_ps());
    }
}

/*
 * Two panels (16 rows) x TN tokens for Q4_0: each activation broadcast feeds two multiplies (prefill
 * tile -10..15%, min of 10 runs; Q4_1, whose mins would not fit the registers, measured slower and
 * keeps the one-panel tile). Every output sees the one-panel tile's arithmetic exactly, so results
 * do not depend on which tile computed them. Writes rows [0, nrows).
 */
#define Q8T_PAIR_TN 3 /* 2 x 3 int sums + 2 x 3 float sums + 2 weight vectors + 1 broadcast: 15 registers */

AI void q8t_pair_tile_q4_0(int64_t k, const uint8_t *p0, const uint8_t *p1, const uint8_t *a, int64_t as, float *y,
                           int64_t ldy, int32_t nrows, const int TN) {
    const int64_t nb = k / PL_QK;
    __m256 acc0[Q8T_PAIR_TN], acc1[Q8T_PAIR_TN];
    for (int t = 0; t < TN; t++) acc0[t] = acc1[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *pb0 = p0 + b * Q8T_PANEL_BLOCK, *pb1 = p1 + b * Q8T_PANEL_BLOCK;
        __m256i s0[Q8T_PAIR_TN], s1[Q8T_PAIR_TN];
#if PL_VNNI
        for (int t = 0; t < TN; t++) s0[t] = s1[t] = _mm256_setzero_si256();
#else
        for (int t = 0; t < TN; t++) s0[t] = s1[t] = q8t_q4_0_offset16(a + t * as, k, b);
#endif
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)(pb0 + 32 * g));
            const __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(pb1 + 32 * g));
            for (int t = 0; t < TN; t++) {
                int32_t y4;
                memcpy(&y4, a + t * as + b * PL_QK + 4 * g, 4);
                const __m256i yb = _mm256_set1_epi32(y4);
#if PL_VNNI
                s0[t] = _mm256_dpbusd_epi32(s0[t], w0, yb);
                s1[t] = _mm256_dpbusd_epi32(s1[t], w1, yb);
#else
                s0[t] = _mm256_add_epi16(_mm256_maddubs_epi16(w0, yb), s0[t]);
                s1[t] = _mm256_add_epi16(_mm256_maddubs_epi16(w1, yb), s1[t]);
#endif
            }
            for (int t = 0; t < TN; t++) {
                q8t_keep(&s0[t]);
                q8t_keep(&s1[t]);
            }
        }
        const __m256 dx0 = _mm256_loadu_ps((const float *)(const void *)(pb0 + 256));
        const __m256 dx1 = _mm256_loadu_ps((const float *)(const void *)(pb1 + 256));
        for (int t = 0; t < TN; t++) {
            const float *ds = (const float *)(const void *)(a + t * as + k);
#if PL_VNNI
            /* codes 0..15: minus 8 x the activation code sum */
            const __m256i off = _mm256_slli_epi32(_mm256_set1_epi32(((const int32_t *)(const void *)(ds + 2 * nb))[b]), 3);
            const __m256i iv0 = _mm256_sub_epi32(s0[t], off), iv1 = _mm256_sub_epi32(s1[t], off);
#else
            const __m256i iv0 = _mm256_madd_epi16(s0[t], _mm256_set1_epi16(1)), iv1 = _mm256_madd_epi16(s1[t], _mm256_set1_epi16(1));
#endif
            const __m256 dy = _mm256_set1_ps(ds[b]);
            acc0[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx0, dy), _mm256_cvtepi32_ps(iv0), acc0[t]);
            acc1[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx1, dy), _mm256_cvtepi32_ps(iv1), acc1[t]);
        }
    }
    for (int t = 0; t < TN; t++) {
        float out[16];
        _mm256_storeu_ps(out, acc0[t]);
        _mm256_storeu_ps(out + 8, acc1[t]);
        for (int r = 0; r < nrows; r++) y[t * ldy + r] = out[r];
    }
}

/*
 * The panel GEMM: rows 8 at a time into panels (x8: unpacked from the repacked layout, else packed from
 * row-major blocks), once per tile of tokens; Q4_0 takes two panels per tile.
 */
AI void q8t_gemm_panels(int kind, int x8, int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a,
                        int64_t as, int32_t nt, float *y, int64_t ldy, uint8_t *panel) {
    const int64_t nb = k / PL_QK, pstride = nb * Q8T_PANEL_BLOCK;
    const int pairs = kind == Q8T_Q40;
    for (int32_t r = 0; r < nr;) {
        const int np = pairs && nr - r > 8 ? 2 : 1;
        for (int p = 0; p < np; p++) {
            const int32_t r8 = r + 8 * p, n8 = nr - r8 < 8 ? nr - r8 : 8;
            if (x8) q8t_unpack_x8(kind, nb, w + r8 * ws, panel + p * pstride);
            else q8t_pack_panel(kind, nb, w + r8 * ws, ws, n8, panel + p * pstride);
        }
        const int32_t nrows = nr - r < 8 * np ? nr - r : 8 * np;
        int32_t t = 0;
        if (np == 2) {
            for (; t + Q8T_PAIR_TN <= nt; t += Q8T_PAIR_TN)
                q8t_pair_tile_q4_0(k, panel, panel + pstride, a + t * as, as, y + t * ldy + r, ldy, nrows, Q8T_PAIR_TN);
            for (; t < nt; t++) q8t_pair_tile_q4_0(k, panel, panel + pstride, a + t * as, as, y + t * ldy + r, ldy, nrows, 1);
        } else {
            for (; t + PL_GEMM_PTN <= nt; t += PL_GEMM_PTN)
                q8t_panel_tile(kind, k, panel, a + t * as, as, y + t * ldy + r, ldy, nrows, PL_GEMM_PTN);
            for (; t < nt; t++) q8t_panel_tile(kind, k, panel, a + t * as, as, y + t * ldy + r, ldy, nrows, 1);
        }
        r += 8 * np;
    }
}

#define Q8T_DEFINE_PANEL_GEMM(name, KIND)                                                                  \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        q8t_gemm_panels(KIND, 0, k, w, ws, nr, a, as, nt, y, ldy, (uint8_t *)scratch);                     \
    }

Q8T_DEFINE_PANEL_GEMM(q8t_gemm_q4_0, Q8T_Q40)
Q8T_DEFINE_PANEL_GEMM(q8t_gemm_q8_0, Q8T_Q80)
Q8T_DEFINE_PANEL_GEMM(q8t_gemm_q4_1, Q8T_Q41)
Q8T_DEFINE_PANEL_GEMM(q8t_gemm_q5_0, Q8T_Q50)
Q8T_DEFINE_PANEL_GEMM(q8t_gemm_q5_1, Q8T_Q51)

#define Q8T_DEFINE_X8(gemv_name, gemm_name, KIND)                                                          \
    static void gemv_name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, \
                          int32_t nt, float *y, int64_t ldy, void *scratch) {                               \
        (void)scratch;                                                                                     \
        for (int32_t t = 0; t < nt; t++)                                                                   \
            for (int32_t r = 0; r < nr; r += 8)                                                            \
                q8t_gemv_x8_panel(KIND, k, w + r * ws, a + t * as, y + t * ldy + r, nr - r < 8 ? nr - r : 8); \
    }                                                                                                      \
    static void gemm_name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, \
                          int32_t nt, float *y, int64_t ldy, void *scratch) {                               \
        q8t_gemm_panels(KIND, 1, k, w, ws, nr, a, as, nt, y, ldy, (uint8_t *)scratch);                     \
    }

Q8T_DEFINE_X8(q8t_gemv_q4_0_x8, q8t_gemm_q4_0_x8, Q8T_Q40)
Q8T_DEFINE_X8(q8t_gemv_q4_1_x8, q8t_gemm_q4_1_x8, Q8T_Q41)
Q8T_DEFINE_X8(q8t_gemv_q5_0_x8, q8t_gemm_q5_0_x8, Q8T_Q50)
Q8T_DEFINE_X8(q8t_gemv_q5_1_x8, q8t_gemm_q5_1_x8, Q8T_Q51)

/* Installs the quantized kernels into a table. */
static void q8t_install(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_0] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_0, q8t_gemv_q4_0, q8t_gemm_q4_0,
                                         2 * Q8T_PANEL_BLOCK}; /* two panels per prefill tile */
    k->mm[PL_TYPE_Q8_0] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_0, q8t_gemv_q8_0, q8t_gemm_q8_0, Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q4_1] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_1, q8t_gemv_q4_1, q8t_gemm_q4_1, Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q5_0] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_0, q8t_gemv_q5_0, q8t_gemm_q5_0, Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q5_1] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_1, q8t_gemv_q5_1, q8t_gemm_q5_1, Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q4_0_X8] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_0, q8t_gemv_q4_0_x8, q8t_gemm_q4_0_x8,
                                            2 * Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q4_1_X8] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_1, q8t_gemv_q4_1_x8, q8t_gemm_q4_1_x8,
                                            Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q5_0_X8] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_0, q8t_gemv_q5_0_x8, q8t_gemm_q5_0_x8,
                                            Q8T_PANEL_BLOCK};
    k->mm[PL_TYPE_Q5_1_X8] = (pl_mm_kernel){PL_QK, PL_ACT_BLOCK_BYTES, q8t_act_q8_1, q8t_gemv_q5_1_x8, q8t_gemm_q5_1_x8,
                                            Q8T_PANEL_BLOCK};
    k->repack_as[PL_TYPE_Q4_0] = PL_TYPE_Q4_0_X8;
    k->repack_as[PL_TYPE_Q5_0] = PL_TYPE_Q5_0_X8;
    k->repack_as[PL_TYPE_Q5_1] = PL_TYPE_Q5_1_X8;
    k->repack_as[PL_TYPE_Q4_1] = PL_TYPE_Q4_1_X8;
}

#endif /* PL_Q8_TILES_H */
