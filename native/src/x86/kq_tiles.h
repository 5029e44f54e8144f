/*
 * kq_tiles.h — K-quant (Q4_K, Q5_K, Q6_K) matmul kernels shared by the AVX2 and AVX-512 files (included,
 * not compiled on its own; each includer sets PL_VNNI, PL_KQ_RM and PL_KQ_PTN).
 *
 * Activations are ggml's block_q8_K rows (f32 d, int8 qs[256], int16 bsums[16]), quantized by the
 * same reference code as the scalar path (ggml's x86 quantize_row_q8_K is its reference too).
 *
 * Dot products follow ggml's AVX2 vec_dot_q4_K_q8_K / vec_dot_q6_K_q8_K arithmetic, so decode
 * results equal llama.cpp's bit for bit: per 256-element super-block, 8 int32 lanes each hold the
 * sum over the super-block of (sub-block scale) x (4 products of the codes at bytes 4l..4l+3 of
 * each 32-byte group); the lanes are converted to float, scaled by d_w * d_a and FMA-accumulated;
 * Q4_K's mins go to a separate 4-lane accumulator (two sub-blocks per lane); the lanes are reduced
 * at the end in ggml's order. With VNNI, vpdpwssd fuses the scale multiply-add into the lane sums:
 * the same integers, so the same floats.
 *
 * Prefill (n_tok > 1) runs on repacked 8-row panels (below): a different float summation order,
 * so prefill agrees with decode to rounding. Every output sees one instruction sequence whatever
 * the tile, so no result depends on tiling or thread count.
 */
#ifndef PL_KQ_TILES_H
#define PL_KQ_TILES_H

#include <immintrin.h>

#include "pl_internal.h"
#include "q8_tiles.h" /* the 8x8 transpose and f16 load of the panel layout */

#define KQ_AI static inline __attribute__((always_inline))
#define KQ_MAXR 8
#ifndef PL_KQ_PREFETCH
/* bytes ahead to software-prefetch each weight row; 0 = leave it to the hardware prefetcher, which
 * measured fastest on a TinyLlama-shape Q4_K_M decode (512 ahead: -30%; 128, 256: no better than 0) */
#define PL_KQ_PREFETCH 0
#endif

KQ_AI float kq_hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

KQ_AI float kq_hsum4(__m128 r) {
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* lanes += scale16 (int16 pairs) . p16 (int16 pairs): madd + add, or one vpdpwssd */
KQ_AI __m256i kq_scale_add(__m256i lanes, __m256i scale16, __m256i p16) {
#if PL_VNNI
    return _mm256_dpwssd_epi32(lanes, scale16, p16);
#else
    return _mm256_add_epi32(lanes, _mm256_madd_epi16(scale16, p16));
#endif
}

/* Q4_K's 12 scale bytes -> 8 six-bit scales (int16 lanes 0..7) and 8 six-bit mins (lanes 8..15).
 * Sub-blocks 0..3 keep their scale/min in the low 6 bits of bytes 0..3 / 4..7; sub-blocks 4..7 take
 * the low / high nibble of bytes 8..11 plus the top 2 bits of bytes 0..3 / 4..7. */
KQ_AI __m256i kq_q4k_scales_mins(const uint8_t *s12) {
    uint32_t w0, w1, w2;
    memcpy(&w0, s12, 4);
    memcpy(&w1, s12 + 4, 4);
    memcpy(&w2, s12 + 8, 4);
    const uint32_t sc03 = w0 & 0x3f3f3f3fu, mn03 = w1 & 0x3f3f3f3fu;
    const uint32_t sc47 = (w2 & 0x0f0f0f0fu) | (((w0 >> 6) & 0x03030303u) << 4);
    const uint32_t mn47 = ((w2 >> 4) & 0x0f0f0f0fu) | (((w1 >> 6) & 0x03030303u) << 4);
    return _mm256_cvtepu8_epi16(_mm_set_epi32((int)mn47, (int)mn03, (int)sc47, (int)sc03));
}

/* pshufb mask broadcasting int16 element s of each 128-bit lane */
KQ_AI __m256i kq_bcast16_mask(int s) { return _mm256_set1_epi16((short)(((2 * s + 1) << 8) | (2 * s))); }

/* Q4_K x Q8_K for RM rows (each its own accumulators) and one activation row. */
KQ_AI void kq_q4k_rows(int64_t k, const uint8_t *w, int64_t ws, const uint8_t *a, float *y, const int RM) {
    const int64_t nb = k / PL_QK_K;
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256 acc[KQ_MAXR];
    __m128 accm[KQ_MAXR];
    for (int r = 0; r < RM; r++) {
        acc[r] = _mm256_setzero_ps();
        accm[r] = _mm_setzero_ps();
    }
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ab = a + b * PL_Q8_K_BYTES;
        float yd;
        memcpy(&yd, ab, 4);
        const uint8_t *q8 = ab + 4;
        /* sums of the activation codes per 32-element sub-block, from the 16-element sums */
        const __m128i q8s = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)(const void *)(ab + 4 + PL_QK_K)),
                                           _mm_loadu_si128((const __m128i *)(const void *)(ab + 4 + PL_QK_K + 16)));
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * PL_Q4_K_BYTES;
#if PL_KQ_PREFETCH
            _mm_prefetch((const char *)blk + PL_KQ_PREFETCH, _MM_HINT_T0);
#endif
            uint16_t dh, mh;
            memcpy(&dh, blk, 2);
            memcpy(&mh, blk + 2, 2);
            const float d = yd * pl_fp16_table[dh];
            const float dmin = -yd * pl_fp16_table[mh];
            const __m256i sm = kq_q4k_scales_mins(blk + 4);
            const __m128i prod = _mm_madd_epi16(_mm256_extracti128_si256(sm, 1), q8s);
            accm[r] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(prod), accm[r]);
            const __m256i scales = _mm256_permute4x64_epi64(sm, 0x44); /* the 8 scales in both lanes */
            __m256i sumi = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                const __m256i bits = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 16 + 32 * j));
                const __m256i lo = _mm256_and_si256(bits, m4);
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
                const __m256i al = _mm256_loadu_si256((const __m256i *)(const void *)(q8 + 64 * j));
                const __m256i ah = _mm256_loadu_si256((const __m256i *)(const void *)(q8 + 64 * j + 32));
                sumi = kq_scale_add(sumi, _mm256_shuffle_epi8(scales, kq_bcast16_mask(2 * j)), _mm256_maddubs_epi16(lo, al));
                sumi = kq_scale_add(sumi, _mm256_shuffle_epi8(scales, kq_bcast16_mask(2 * j + 1)),
                                    _mm256_maddubs_epi16(hi, ah));
            }
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc[r]);
        }
    }
    for (int r = 0; r < RM; r++) y[r] = kq_hsum8(acc[r]) + kq_hsum4(accm[r]);
}

/* Q5_K x Q8_K for RM rows: Q4_K's arithmetic with 5-bit codes (nibble + 16 x bit sb of qh[l] for
 * sub-block sb), except that, as in ggml's AVX2 vec_dot_q5_K_q8_K, the mins are summed per
 * super-block to one integer and accumulated in a scalar float (summs += dmin x sum, which ggml's
 * build contracts to an FMA: so do we, explicitly, for llama.cpp's bits). */
KQ_AI void kq_q5k_rows(int64_t k, const uint8_t *w, int64_t ws, const uint8_t *a, float *y, const int RM) {
    const int64_t nb = k / PL_QK_K;
    const __m256i m4 = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
    __m256 acc[KQ_MAXR];
    float summs[KQ_MAXR];
    for (int r = 0; r < RM; r++) {
        acc[r] = _mm256_setzero_ps();
        summs[r] = 0.0f;
    }
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ab = a + b * PL_Q8_K_BYTES;
        float yd;
        memcpy(&yd, ab, 4);
        const uint8_t *q8 = ab + 4;
        const __m128i q8s = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)(const void *)(ab + 4 + PL_QK_K)),
                                           _mm_loadu_si128((const __m128i *)(const void *)(ab + 4 + PL_QK_K + 16)));
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * PL_Q5_K_BYTES;
            uint16_t dh, mh;
            memcpy(&dh, blk, 2);
            memcpy(&mh, blk + 2, 2);
            const float d = yd * pl_fp16_table[dh];
            const float dmin = -yd * pl_fp16_table[mh];
            const __m256i sm = kq_q4k_scales_mins(blk + 4);
            const __m128i prod = _mm_madd_epi16(_mm256_extracti128_si256(sm, 1), q8s);
            __m128i ms = _mm_add_epi32(prod, _mm_unpackhi_epi64(prod, prod));
            ms = _mm_add_epi32(ms, _mm_shuffle_epi32(ms, 1));
            summs[r] = _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(dmin), _mm_set_ss((float)_mm_cvtsi128_si32(ms)), _mm_set_ss(summs[r])));
            const __m256i scales = _mm256_permute4x64_epi64(sm, 0x44);
            const __m256i hbits = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 16));
            __m256i sumi = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                const __m256i bits = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 48 + 32 * j));
                const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j), one), 4);
                const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j + 1), one), 4);
                const __m256i lo = _mm256_or_si256(_mm256_and_si256(bits, m4), h0);
                const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m4), h1);
                const __m256i al = _mm256_loadu_si256((const __m256i *)(const void *)(q8 + 64 * j));
                const __m256i ah = _mm256_loadu_si256((const __m256i *)(const void *)(q8 + 64 * j + 32));
                sumi = kq_scale_add(sumi, _mm256_shuffle_epi8(scales, kq_bcast16_mask(2 * j)), _mm256_maddubs_epi16(lo, al));
                sumi = kq_scale_add(sumi, _mm256_shuffle_epi8(scales, kq_bcast16_mask(2 * j + 1)),
                                    _mm256_maddubs_epi16(hi, ah));
            }
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc[r]);
        }
    }
    for (int r = 0; r < RM; r++) y[r] = kq_hsum8(acc[r]) + summs[r];
}

/* pshufb mask (128-bit) taking byte 2i into bytes 0..7 and byte 2i+1 into bytes 8..15 */
KQ_AI __m128i kq_q6k_scale_mask(int i) {
    return _mm_set_epi64x((long long)(0x0101010101010101ull * (uint64_t)(2 * i + 1)),
                          (long long)(0x0101010101010101ull * (uint64_t)(2 * i)));
}

/* Q6_K x Q8_K for RM rows and one activation row. Codes stay unsigned (0..63); the -32 offset is
 * removed per super-block with 32 x (scale . 16-element activation sums), as ggml does. */
KQ_AI void kq_q6k_rows(int64_t k, const uint8_t *w, int64_t ws, const uint8_t *a, float *y, const int RM) {
    const int64_t nb = k / PL_QK_K;
    const __m256i m3 = _mm256_set1_epi8(3), m15 = _mm256_set1_epi8(15);
    __m256 acc[KQ_MAXR];
    for (int r = 0; r < RM; r++) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ab = a + b * PL_Q8_K_BYTES;
        float yd;
        memcpy(&yd, ab, 4);
        const uint8_t *q8 = ab + 4;
        const __m256i bsums = _mm256_loadu_si256((const __m256i *)(const void *)(ab + 4 + PL_QK_K));
        for (int r = 0; r < RM; r++) {
            const uint8_t *blk = w + r * ws + b * PL_Q6_K_BYTES;
#if PL_KQ_PREFETCH
            _mm_prefetch((const char *)blk + PL_KQ_PREFETCH, _MM_HINT_T0);
#endif
            uint16_t dh;
            memcpy(&dh, blk + 208, 2);
            const float d = yd * pl_fp16_table[dh];
            const __m128i sc8 = _mm_loadu_si128((const __m128i *)(const void *)(blk + 192));
            const __m256i offs = _mm256_slli_epi32(_mm256_madd_epi16(bsums, _mm256_cvtepi8_epi16(sc8)), 5);
            __m256i sumi = _mm256_setzero_si256();
            for (int j = 0; j < 2; j++) {
                const uint8_t *ql = blk + 64 * j, *qh = blk + 128 + 32 * j;
                const __m256i l1 = _mm256_loadu_si256((const __m256i *)(const void *)ql);
                const __m256i l2 = _mm256_loadu_si256((const __m256i *)(const void *)(ql + 32));
                const __m256i h = _mm256_loadu_si256((const __m256i *)(const void *)qh);
                __m256i q[4];
                q[0] = _mm256_or_si256(_mm256_and_si256(l1, m15), _mm256_slli_epi16(_mm256_and_si256(h, m3), 4));
                q[1] = _mm256_or_si256(_mm256_and_si256(l2, m15),
                                       _mm256_slli_epi16(_mm256_and_si256(h, _mm256_set1_epi8(12)), 2));
                q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m15),
                                       _mm256_and_si256(h, _mm256_set1_epi8(48)));
                q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m15),
                                       _mm256_srli_epi16(_mm256_and_si256(h, _mm256_set1_epi8((char)0xc0)), 2));
                for (int n = 0; n < 4; n++) {
                    const __m256i av = _mm256_loadu_si256((const __m256i *)(const void *)(q8 + 128 * j + 32 * n));
                    const __m256i s16 = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, kq_q6k_scale_mask(4 * j + n)));
                    sumi = kq_scale_add(sumi, s16, _mm256_maddubs_epi16(q[n], av));
                }
            }
            sumi = _mm256_sub_epi32(sumi, offs);
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc[r]);
        }
    }
    for (int r = 0; r < RM; r++) y[r] = kq_hsum8(acc[r]);
}

/* Decode: row groups of PL_KQ_RM, each row one sequential stream (tokens inner for completeness). */
#define KQ_DEFINE_GEMV(name, ROWS)                                                                         \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
        int32_t r = 0;                                                                                     \
        for (; r + PL_KQ_RM <= nr; r += PL_KQ_RM)                                                          \
            for (int32_t t = 0; t < nt; t++) ROWS(k, w + r * ws, ws, a + t * as, y + t * ldy + r, PL_KQ_RM);  \
        for (; r < nr; r++)                                                                                \
            for (int32_t t = 0; t < nt; t++) ROWS(k, w + r * ws, ws, a + t * as, y + t * ldy + r, 1);         \
    }

KQ_DEFINE_GEMV(kq_gemv_q4_k, kq_q4k_rows)
KQ_DEFINE_GEMV(kq_gemv_q5_k, kq_q5k_rows)
KQ_DEFINE_GEMV(kq_gemv_q6_k, kq_q6k_rows)

/*
 * Prefill GEMM on 8-row panels (the q8_tiles.h layout: a 32-byte vector holds 4 consecutive codes of
 * each of 8 rows, lane = row), repacked once per tile of tokens, so one broadcast of 4 activation
 * codes feeds 8 rows and each code vector feeds PL_KQ_PTN tokens. Per sub-block the int32 sums of
 * (code x activation) of each row are multiplied by that row's sub-block scale (AVX2: int16 pair
 * sums, then vpmaddwd with the scale in both halves of the lane; VNNI: vpdpbusd, then vpmulld: the
 * same integers), summed over the super-block, converted, scaled by d_w * d_a and FMA-accumulated
 * per token; Q4_K's mins and Q6_K's -32 offset come from the activations' 16-element sums. The float
 * summation differs from decode's 8 lanes (results agree to rounding, not bits); each (row, token)
 * sees one instruction sequence whatever the tile or thread count.
 *
 * Panel per super-block: 64 groups x 32 bytes of codes; per sub-block a vector of the 8 rows' scales
 * (int32 lane r: AVX2 (s, s) as int16, VNNI s); Q4_K: 4 vectors of the rows' min pairs
 * (m[2p], m[2p+1]) as int16, then 8 f32 d and 8 f32 dmin; Q6_K: 8 f32 d.
 */
#define KQ_Q4K_PANEL 2496 /* 2048 + 8 x 32 + 4 x 32 + 32 + 32 */
#define KQ_Q4K_SC 2048
#define KQ_Q4K_MIN 2304
#define KQ_Q4K_D 2432
#define KQ_Q6K_PANEL 2592 /* 2048 + 16 x 32 + 32 */
#define KQ_Q6K_SC 2048
#define KQ_Q6K_D 2560

/* 32 codes (one sub-block of 32, or two of 16) of each of 8 rows -> 8 vectors of 8 rows x 4 codes */
KQ_AI void kq_store_groups(__m256i v[8], uint8_t *dst) {
    q8t_transpose8x8_epi32(v);
    for (int g = 0; g < 8; g++) _mm256_storeu_si256((__m256i *)(void *)(dst + 32 * g), v[g]);
}

/* a row's sub-block scale as a lane of the scale vectors */
KQ_AI int32_t kq_scale_lane(int s) {
#if PL_VNNI
    return s;
#else
    return (int32_t)((uint32_t)(uint16_t)(int16_t)s * 0x10001u);
#endif
}

/* Repacks nrows (<= 8; missing rows get zero codes and scales) of nb Q4_K (q5 = 0) or Q5_K (q5 = 1)
 * super-blocks: the same panel, Q5_K's codes with their 5th bit. */
KQ_AI void kq_pack_q45k(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel, const int q5) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
    const int bytes = q5 ? PL_Q5_K_BYTES : PL_Q4_K_BYTES, qs = q5 ? 48 : 16;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *pb = panel + b * KQ_Q4K_PANEL;
        uint16_t smb[8][16] = {{0}}; /* per row: 8 scales, 8 mins */
        float *pd = (float *)(void *)(pb + KQ_Q4K_D), *pm = pd + 8;
        __m256i bits[8][4], hbits[8];
        for (int r = 0; r < 8; r++) {
            const uint8_t *blk = w + r * ws + b * bytes;
            pd[r] = r < nrows ? q8t_f16(blk) : 0.0f;
            pm[r] = r < nrows ? q8t_f16(blk + 2) : 0.0f;
            if (r < nrows) _mm256_storeu_si256((__m256i *)(void *)smb[r], kq_q4k_scales_mins(blk + 4));
            for (int j = 0; j < 4; j++)
                bits[r][j] = r < nrows ? _mm256_loadu_si256((const __m256i *)(const void *)(blk + qs + 32 * j))
                                       : _mm256_setzero_si256();
            hbits[r] = q5 && r < nrows ? _mm256_loadu_si256((const __m256i *)(const void *)(blk + 16)) : _mm256_setzero_si256();
        }
        for (int sb = 0; sb < 8; sb++) {
            __m256i v[8];
            for (int r = 0; r < 8; r++) {
                v[r] = _mm256_and_si256(sb % 2 ? _mm256_srli_epi16(bits[r][sb / 2], 4) : bits[r][sb / 2], m4);
                if (q5) v[r] = _mm256_or_si256(v[r], _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits[r], sb), one), 4));
            }
            kq_store_groups(v, pb + 256 * sb);
            int32_t *ps = (int32_t *)(void *)(pb + KQ_Q4K_SC + 32 * sb);
            for (int r = 0; r < 8; r++) ps[r] = kq_scale_lane(smb[r][sb]);
        }
        int16_t *pmin = (int16_t *)(void *)(pb + KQ_Q4K_MIN);
        for (int p = 0; p < 4; p++)
            for (int r = 0; r < 8; r++) {
                pmin[16 * p + 2 * r] = (int16_t)smb[r][8 + 2 * p];
                pmin[16 * p + 2 * r + 1] = (int16_t)smb[r][8 + 2 * p + 1];
            }
    }
}

static void kq_pack_q4k(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    kq_pack_q45k(nb, w, ws, nrows, panel, 0);
}
static void kq_pack_q5k(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    kq_pack_q45k(nb, w, ws, nrows, panel, 1);
}

static void kq_pack_q6k(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    const __m256i m3 = _mm256_set1_epi8(3), m15 = _mm256_set1_epi8(15);
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *pb = panel + b * KQ_Q6K_PANEL;
        float *pd = (float *)(void *)(pb + KQ_Q6K_D);
        for (int h = 0; h < 2; h++) {
            __m256i q[4][8];
            for (int r = 0; r < 8; r++) {
                if (r >= nrows) {
                    for (int n = 0; n < 4; n++) q[n][r] = _mm256_setzero_si256();
                    continue;
                }
                const uint8_t *blk = w + r * ws + b * PL_Q6_K_BYTES;
                const __m256i l1 = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 64 * h));
                const __m256i l2 = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 64 * h + 32));
                const __m256i hb = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 128 + 32 * h));
                q[0][r] = _mm256_or_si256(_mm256_and_si256(l1, m15), _mm256_slli_epi16(_mm256_and_si256(hb, m3), 4));
                q[1][r] = _mm256_or_si256(_mm256_and_si256(l2, m15),
                                          _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(12)), 2));
                q[2][r] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m15),
                                          _mm256_and_si256(hb, _mm256_set1_epi8(48)));
                q[3][r] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m15),
                                          _mm256_srli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8((char)0xc0)), 2));
            }
            for (int n = 0; n < 4; n++) kq_store_groups(q[n], pb + 256 * (4 * h + n));
        }
        for (int s = 0; s < 16; s++) {
            int32_t *ps = (int32_t *)(void *)(pb + KQ_Q6K_SC + 32 * s);
            for (int r = 0; r < 8; r++) ps[r] = kq_scale_lane(r < nrows ? (int8_t)w[r * ws + b * PL_Q6_K_BYTES + 192 + s] : 0);
        }
        for (int r = 0; r < 8; r++) pd[r] = r < nrows ? q8t_f16(w + r * ws + b * PL_Q6_K_BYTES + 208) : 0.0f;
    }
}

/*
 * isum[t] lane r += scale_r x (sum over ngroups groups of row r's 4 codes . token t's 4 codes).
 * AVX2 sums int16 pairs first: |sum| <= ngroups x 2 x 63 x 127 must fit int16, so ngroups <= 2 for
 * 6-bit codes, <= 4 for 5-bit ones and <= 8 for 4-bit ones.
 */
KQ_AI void kq_panel_sub(__m256i *isum, const uint8_t *codes, const uint8_t *const *act, int aoff, int ngroups,
                        __m256i scale, const int TN) {
    __m256i part[PL_KQ_PTN];
    for (int t = 0; t < TN; t++) part[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int g = 0; g < ngroups; g++) {
        const __m256i wv = _mm256_loadu_si256((const __m256i *)(const void *)(codes + 32 * g));
        for (int t = 0; t < TN; t++) {
            int32_t y4;
            memcpy(&y4, act[t] + aoff + 4 * g, 4);
#if PL_VNNI
            part[t] = _mm256_dpbusd_epi32(part[t], wv, _mm256_set1_epi32(y4));
#else
            part[t] = _mm256_add_epi16(part[t], _mm256_maddubs_epi16(wv, _mm256_set1_epi32(y4)));
#endif
        }
        for (int t = 0; t < TN; t++) q8t_keep(&part[t]); /* see q8_tiles.h */
    }
    for (int t = 0; t < TN; t++)
#if PL_VNNI
        isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(part[t], scale));
#else
        isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(part[t], scale));
#endif
}

/* the activation's 8 sub-block code sums, as int16 pairs (sub-blocks 2p, 2p+1) in q8s[p] */
KQ_AI void kq_sub_sums(const uint8_t *act, int32_t q8s[4]) {
    _mm_storeu_si128((__m128i *)(void *)q8s,
                     _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)(const void *)(act + 4 + PL_QK_K)),
                                    _mm_loadu_si128((const __m128i *)(const void *)(act + 4 + PL_QK_K + 16))));
}

/* y[t * ldy + r] for one 8-row panel, TN tokens, rows [0, nrows); kind: KQ_Q4K, KQ_Q6K or KQ_Q5K */
enum { KQ_Q4K = 0, KQ_Q6K = 1, KQ_Q5K = 2 };
KQ_AI void kq_tile(int kind, int64_t k, const uint8_t *panel, const uint8_t *a, int64_t as, float *y, int64_t ldy,
                   int32_t nrows, const int TN) {
    const int64_t nb = k / PL_QK_K;
    const int q6 = kind == KQ_Q6K;
    const int pbytes = q6 ? KQ_Q6K_PANEL : KQ_Q4K_PANEL;
    __m256 acc[PL_KQ_PTN];
    for (int t = 0; t < TN; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *pb = panel + b * pbytes;
        const uint8_t *act[PL_KQ_PTN];
        __m256i isum[PL_KQ_PTN], offs[PL_KQ_PTN];
        for (int t = 0; t < TN; t++) {
            act[t] = a + t * as + b * PL_Q8_K_BYTES;
            isum[t] = offs[t] = _mm256_setzero_si256();
        }
        if (!q6) {
#pragma GCC unroll 1
            for (int sb = 0; sb < 8; sb++) {
                const __m256i sc = _mm256_loadu_si256((const __m256i *)(const void *)(pb + KQ_Q4K_SC + 32 * sb));
#if !PL_VNNI
                if (kind == KQ_Q5K) { /* 5-bit codes: two halves of 4 groups keep the int16 pair sums exact */
                    kq_panel_sub(isum, pb + 256 * sb, act, 4 + 32 * sb, 4, sc, TN);
                    kq_panel_sub(isum, pb + 256 * sb + 128, act, 4 + 32 * sb + 16, 4, sc, TN);
                    continue;
                }
#endif
                kq_panel_sub(isum, pb + 256 * sb, act, 4 + 32 * sb, 8, sc, TN);
            }
            for (int t = 0; t < TN; t++) {
                /* offs lane r = sum_j min_rj x (sum of token t's codes in sub-block j): pairs of sub-blocks */
                int32_t q8s[4];
                kq_sub_sums(act[t], q8s);
                for (int p = 0; p < 4; p++)
                    offs[t] = _mm256_add_epi32(offs[t], _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(pb + KQ_Q4K_MIN + 32 * p)),
                                                                          _mm256_set1_epi32(q8s[p])));
            }
        } else {
#pragma GCC unroll 1
            for (int s = 0; s < 16; s++) {
                const __m256i sc = _mm256_loadu_si256((const __m256i *)(const void *)(pb + KQ_Q6K_SC + 32 * s));
#if PL_VNNI
                kq_panel_sub(isum, pb + 128 * s, act, 4 + 16 * s, 4, sc, TN);
#else
                kq_panel_sub(isum, pb + 128 * s, act, 4 + 16 * s, 2, sc, TN);
                kq_panel_sub(isum, pb + 128 * s + 64, act, 4 + 16 * s + 8, 2, sc, TN);
#endif
                for (int t = 0; t < TN; t++) {
                    int16_t bsum;
                    memcpy(&bsum, act[t] + 4 + PL_QK_K + 2 * s, 2);
#if PL_VNNI
                    offs[t] = _mm256_add_epi32(offs[t], _mm256_mullo_epi32(sc, _mm256_set1_epi32(bsum)));
#else
                    offs[t] = _mm256_add_epi32(offs[t], _mm256_madd_epi16(sc, _mm256_set1_epi32((uint16_t)bsum))); /* (s,s).(bsum,0) */
#endif
                }
            }
        }
        const __m256 d = _mm256_loadu_ps((const float *)(const void *)(pb + (q6 ? KQ_Q6K_D : KQ_Q4K_D)));
        for (int t = 0; t < TN; t++) {
            float yd;
            memcpy(&yd, act[t], 4);
            const __m256 ydv = _mm256_set1_ps(yd);
            if (q6) {
                isum[t] = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(offs[t], 5)); /* codes are q + 32 */
                acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, ydv), _mm256_cvtepi32_ps(isum[t]), acc[t]);
            } else {
                const __m256 dmin = _mm256_loadu_ps((const float *)(const void *)(pb + KQ_Q4K_D + 32));
                acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, ydv), _mm256_cvtepi32_ps(isum[t]), acc[t]);
                acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, ydv), _mm256_cvtepi32_ps(offs[t]), acc[t]);
            }
        }
    }
    for (int t = 0; t < TN; t++) {
        float out[8];
        _mm256_storeu_ps(out, acc[t]);
        for (int r = 0; r < nrows; r++) y[t * ldy + r] = out[r];
    }
}

#define KQ_DEFINE_PANEL_GEMM(name, Q6, PACK)                                                                \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,      \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                     \
        uint8_t *panel = (uint8_t *)scratch;                                                                \
        for (int32_t r = 0; r < nr; r += 8) {                                                               \
            const int32_t n8 = nr - r < 8 ? nr - r : 8;                                                     \
            PACK(k / PL_QK_K, w + r * ws, ws, n8, panel);                                                    \
            int32_t t = 0;                                                                                  \
            for (; t + PL_KQ_PTN <= nt; t += PL_KQ_PTN)                                                     \
                kq_tile(Q6, k, panel, a + t * as, as, y + t * ldy + r, ldy, n8, PL_KQ_PTN);                  \
            for (; t < nt; t++) kq_tile(Q6, k, panel, a + t * as, as, y + t * ldy + r, ldy, n8, 1);          \
        }                                                                                                   \
    }

KQ_DEFINE_PANEL_GEMM(kq_gemm_q4_k, KQ_Q4K, kq_pack_q4k)
KQ_DEFINE_PANEL_GEMM(kq_gemm_q5_k, KQ_Q5K, kq_pack_q5k)
KQ_DEFINE_PANEL_GEMM(kq_gemm_q6_k, KQ_Q6K, kq_pack_q6k)

/*
 * Repacked Q4_K (PL_TYPE_Q4_K_X8, laid out by repack.c): decode keeps one row per lane, as the panel
 * GEMM does per token: per sub-block the 8 rows' exact code . activation sums times their scales, the
 * mins against the activations' sub-block sums, then one scaling for the 8 rows, so decode and prefill
 * of a token agree bit for bit. The panel is read as one stream, prefetched ahead.
 */
#ifndef PL_K8_PF_DIST
#define PL_K8_PF_DIST 4096
#endif

/* sub-block sb's scales of the 8 rows as a scale vector of the panel GEMM (kq_scale_lane per lane) */
KQ_AI __m256i kq_x8_scales(const uint8_t *pb, int sb) {
    const __m256i x = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(pb + PL_K8_SC + 8 * sb)));
#if PL_VNNI
    return x;
#else
    return _mm256_or_si256(x, _mm256_slli_epi32(x, 16));
#endif
}

/* the 5th bits (Q5_K) of sub-block sb for the codes of group h: 16 where bit sb of the row's qh byte is set */
KQ_AI __m256i kq_x8_fifth(const uint8_t *p, int h, int sb) {
    const __m256i qh = _mm256_loadu_si256((const __m256i *)(const void *)(p + PL_K5_QH + 32 * h));
    return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, sb), _mm256_set1_epi8(1)), 4);
}

/* Q4_K (q5 = 0) or Q5_K (q5 = 1) repacked panel x one activation row */
KQ_AI void kq_gemv_q45k_x8_panel(int64_t k, const uint8_t *p, const uint8_t *a, float *y, int32_t nrows, const int q5) {
    const int64_t nb = k / PL_QK_K, pbytes = q5 ? PL_K5_BYTES : PL_K8_BYTES;
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256 acc = _mm256_setzero_ps();
    uintptr_t pf_line = ((uintptr_t)p + PL_K8_PF_DIST) & ~(uintptr_t)63;
    for (int64_t b = 0; b < nb; b++, p += pbytes) {
        for (; pf_line < (uintptr_t)p + pbytes + PL_K8_PF_DIST; pf_line += 64) _mm_prefetch((const char *)pf_line, _MM_HINT_T0);
        const uint8_t *act = a + b * PL_Q8_K_BYTES;
        __m256i isum = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            /* AVX2 int16 pair sums: 8 groups of 4-bit codes fit, 4 of 5-bit ones: halves for Q5_K */
            for (int half = 0; half < (q5 && !PL_VNNI ? 2 : 1); half++) {
                __m256i slo = _mm256_setzero_si256(), shi = _mm256_setzero_si256();
                const int h0 = q5 && !PL_VNNI ? 4 * half : 0, h1 = q5 && !PL_VNNI ? h0 + 4 : 8;
                for (int h = h0; h < h1; h++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + PL_K8_CODES + 32 * (8 * j + h)));
                    int32_t y0, y1;
                    memcpy(&y0, act + 4 + 64 * j + 4 * h, 4);
                    memcpy(&y1, act + 4 + 64 * j + 32 + 4 * h, 4);
                    __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                    if (q5) {
                        lo = _mm256_or_si256(lo, kq_x8_fifth(p, h, 2 * j));
                        hi = _mm256_or_si256(hi, kq_x8_fifth(p, h, 2 * j + 1));
                    }
#if PL_VNNI
                    slo = _mm256_dpbusd_epi32(slo, lo, _mm256_set1_epi32(y0));
                    shi = _mm256_dpbusd_epi32(shi, hi, _mm256_set1_epi32(y1));
#else
                    slo = _mm256_add_epi16(slo, _mm256_maddubs_epi16(lo, _mm256_set1_epi32(y0)));
                    shi = _mm256_add_epi16(shi, _mm256_maddubs_epi16(hi, _mm256_set1_epi32(y1)));
#endif
                }
#if PL_VNNI
                isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(slo, kq_x8_scales(p, 2 * j)));
                isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(shi, kq_x8_scales(p, 2 * j + 1)));
#else
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(slo, kq_x8_scales(p, 2 * j)));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(shi, kq_x8_scales(p, 2 * j + 1)));
#endif
            }
        }
        int32_t q8s[4];
        kq_sub_sums(act, q8s);
        __m256i offs = _mm256_setzero_si256();
        for (int pr = 0; pr < 4; pr++) {
            const __m128i mins = _mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_MN + 16 * pr));
            offs = _mm256_add_epi32(offs, _mm256_madd_epi16(_mm256_cvtepu8_epi16(mins), _mm256_set1_epi32(q8s[pr])));
        }
        float yd;
        memcpy(&yd, act, 4);
        const __m256 ydv = _mm256_set1_ps(yd);
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_D)));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_DMIN)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(d, ydv), _mm256_cvtepi32_ps(isum), acc);
        acc = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, ydv), _mm256_cvtepi32_ps(offs), acc);
    }
    float out[8];
    _mm256_storeu_ps(out, acc);
    for (int r = 0; r < nrows; r++) y[r] = out[r];
}

/* A repacked Q4_K / Q5_K panel's super-blocks -> the panel GEMM's layout (codes one per byte, with their
 * 5th bit for Q5_K; scale vectors; f32 d). */
KQ_AI void kq_unpack_q45k_x8(int64_t nb, const uint8_t *p, uint8_t *panel, const int q5) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int64_t b = 0; b < nb; b++, p += q5 ? PL_K5_BYTES : PL_K8_BYTES) {
        uint8_t *pb = panel + b * KQ_Q4K_PANEL;
        for (int j = 0; j < 4; j++)
            for (int h = 0; h < 8; h++) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + PL_K8_CODES + 32 * (8 * j + h)));
                __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                if (q5) {
                    lo = _mm256_or_si256(lo, kq_x8_fifth(p, h, 2 * j));
                    hi = _mm256_or_si256(hi, kq_x8_fifth(p, h, 2 * j + 1));
                }
                _mm256_storeu_si256((__m256i *)(void *)(pb + 256 * (2 * j) + 32 * h), lo);
                _mm256_storeu_si256((__m256i *)(void *)(pb + 256 * (2 * j + 1) + 32 * h), hi);
            }
        for (int sb = 0; sb < 8; sb++) _mm256_storeu_si256((__m256i *)(void *)(pb + KQ_Q4K_SC + 32 * sb), kq_x8_scales(p, sb));
        for (int pr = 0; pr < 4; pr++)
            _mm256_storeu_si256((__m256i *)(void *)(pb + KQ_Q4K_MIN + 32 * pr),
                                _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_MN + 16 * pr))));
        _mm256_storeu_ps((float *)(void *)(pb + KQ_Q4K_D), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_D))));
        _mm256_storeu_ps((float *)(void *)(pb + KQ_Q4K_D + 32),
                         _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K8_DMIN))));
    }
}

/* Repacked Q6_K (PL_TYPE_Q6_K_X8): the same one-row-per-lane decode, codes rebuilt from ql and qh as
 * kq_pack_q6k does; per 16-element sub-block the 8 rows' exact sums times their int8 scales, the -32
 * offset from the activations' sub-block sums: the panel GEMM's integers, so its bits. */
KQ_AI __m256i kq_x8_q6_scales(const uint8_t *pb, int sb) {
    const __m256i x = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(pb + PL_K6_SC + 8 * sb)));
#if PL_VNNI
    return x;
#else
    return _mm256_or_si256(_mm256_and_si256(x, _mm256_set1_epi32(0xffff)), _mm256_slli_epi32(x, 16)); /* (s, s) */
#endif
}

/* the 6-bit codes of elements 128h + 32n + 4g .. +3 of each row (n = 0..3), from the ql/qh groups */
KQ_AI void kq_x8_q6_codes(const uint8_t *pb, int h, int g, __m256i c[4]) {
    const __m256i m15 = _mm256_set1_epi8(15), m3 = _mm256_set1_epi8(3);
    const __m256i la = _mm256_loadu_si256((const __m256i *)(const void *)(pb + PL_K6_QL + 32 * (16 * h + g)));
    const __m256i lb = _mm256_loadu_si256((const __m256i *)(const void *)(pb + PL_K6_QL + 32 * (16 * h + 8 + g)));
    const __m256i hb = _mm256_loadu_si256((const __m256i *)(const void *)(pb + PL_K6_QH + 32 * (8 * h + g)));
    c[0] = _mm256_or_si256(_mm256_and_si256(la, m15), _mm256_slli_epi16(_mm256_and_si256(hb, m3), 4));
    c[1] = _mm256_or_si256(_mm256_and_si256(lb, m15), _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(12)), 2));
    c[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(la, 4), m15), _mm256_and_si256(hb, _mm256_set1_epi8(48)));
    c[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(lb, 4), m15),
                           _mm256_srli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8((char)0xc0)), 2));
}

KQ_AI void kq_gemv_q6k_x8_panel(int64_t k, const uint8_t *p, const uint8_t *a, float *y, int32_t nrows) {
    const int64_t nb = k / PL_QK_K;
    __m256 acc = _mm256_setzero_ps();
    uintptr_t pf_line = ((uintptr_t)p + PL_K8_PF_DIST) & ~(uintptr_t)63;
    for (int64_t b = 0; b < nb; b++, p += PL_K6_BYTES) {
        for (; pf_line < (uintptr_t)p + PL_K6_BYTES + PL_K8_PF_DIST; pf_line += 64) _mm_prefetch((const char *)pf_line, _MM_HINT_T0);
        const uint8_t *act = a + b * PL_Q8_K_BYTES;
        __m256i isum = _mm256_setzero_si256(), offs = _mm256_setzero_si256();
        __m256i scs[16]; /* the 16 sub-block scales, widened once: each is used twice below */
        for (int sb = 0; sb < 16; sb++) scs[sb] = kq_x8_q6_scales(p, sb);
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++)
#pragma GCC unroll 4
            for (int g0 = 0; g0 < 8; g0 += 2) { /* two groups: AVX2's int16 pair sums of 6-bit codes stay exact */
                __m256i part[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma GCC unroll 2
                for (int g = g0; g < g0 + 2; g++) {
                    __m256i c[4];
                    kq_x8_q6_codes(p, h, g, c);
                    for (int n = 0; n < 4; n++) {
                        int32_t y4;
                        memcpy(&y4, act + 4 + 128 * h + 32 * n + 4 * g, 4);
#if PL_VNNI
                        part[n] = _mm256_dpbusd_epi32(part[n], c[n], _mm256_set1_epi32(y4));
#else
                        part[n] = _mm256_add_epi16(part[n], _mm256_maddubs_epi16(c[n], _mm256_set1_epi32(y4)));
#endif
                    }
                }
                for (int n = 0; n < 4; n++) {
                    const __m256i sc = scs[8 * h + 2 * n + g0 / 4];
#if PL_VNNI
                    isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(part[n], sc));
#else
                    isum = _mm256_add_epi32(isum, _mm256_madd_epi16(part[n], sc));
#endif
                }
            }
        for (int sb = 0; sb < 16; sb++) {
            int16_t bsum;
            memcpy(&bsum, act + 4 + PL_QK_K + 2 * sb, 2);
#if PL_VNNI
            offs = _mm256_add_epi32(offs, _mm256_mullo_epi32(scs[sb], _mm256_set1_epi32(bsum)));
#else
            offs = _mm256_add_epi32(offs, _mm256_madd_epi16(scs[sb], _mm256_set1_epi32((uint16_t)bsum)));
#endif
        }
        float yd;
        memcpy(&yd, act, 4);
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K6_D)));
        isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(offs, 5)); /* codes are q + 32 */
        acc = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(yd)), _mm256_cvtepi32_ps(isum), acc);
    }
    float out[8];
    _mm256_storeu_ps(out, acc);
    for (int r = 0; r < nrows; r++) y[r] = out[r];
}

/* A repacked Q6_K panel -> the panel GEMM's layout. */
KQ_AI void kq_unpack_q6k_x8(int64_t nb, const uint8_t *p, uint8_t *panel) {
    for (int64_t b = 0; b < nb; b++, p += PL_K6_BYTES) {
        uint8_t *pb = panel + b * KQ_Q6K_PANEL;
        for (int h = 0; h < 2; h++)
            for (int g = 0; g < 8; g++) {
                __m256i c[4];
                kq_x8_q6_codes(p, h, g, c);
                for (int n = 0; n < 4; n++) _mm256_storeu_si256((__m256i *)(void *)(pb + 256 * (4 * h + n) + 32 * g), c[n]);
            }
        for (int sb = 0; sb < 16; sb++) _mm256_storeu_si256((__m256i *)(void *)(pb + KQ_Q6K_SC + 32 * sb), kq_x8_q6_scales(p, sb));
        _mm256_storeu_ps((float *)(void *)(pb + KQ_Q6K_D), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + PL_K6_D))));
    }
}

/* Decode and the GEMM's panel source for the repacked K-quants (kind KQ_Q4K, KQ_Q5K or KQ_Q6K). */
KQ_AI void kq_gemv_x8(int kind, int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,
                      int32_t nt, float *y, int64_t ldy) {
    for (int32_t t = 0; t < nt; t++)
        for (int32_t r = 0; r < nr; r += 8) {
            const int32_t n8 = nr - r < 8 ? nr - r : 8;
            if (kind == KQ_Q6K) kq_gemv_q6k_x8_panel(k, w + r * ws, a + t * as, y + t * ldy + r, n8);
            else kq_gemv_q45k_x8_panel(k, w + r * ws, a + t * as, y + t * ldy + r, n8, kind == KQ_Q5K);
        }
}
static void kq_gemv_q4_k_x8(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt,
                            float *y, int64_t ldy, void *scratch) {
    (void)scratch;
    kq_gemv_x8(KQ_Q4K, k, w, ws, nr, a, as, nt, y, ldy);
}
static void kq_gemv_q5_k_x8(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt,
                            float *y, int64_t ldy, void *scratch) {
    (void)scratch;
    kq_gemv_x8(KQ_Q5K, k, w, ws, nr, a, as, nt, y, ldy);
}
static void kq_gemv_q6_k_x8(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt,
                            float *y, int64_t ldy, void *scratch) {
    (void)scratch;
    kq_gemv_x8(KQ_Q6K, k, w, ws, nr, a, as, nt, y, ldy);
}
/* the panel GEMM's PACK step for repacked rows (whole panels; ws and nrows are implied) */
static void kq_unpack_q4k_x8_rows(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    (void)ws, (void)nrows;
    kq_unpack_q45k_x8(nb, w, panel, 0);
}
static void kq_unpack_q5k_x8_rows(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    (void)ws, (void)nrows;
    kq_unpack_q45k_x8(nb, w, panel, 1);
}
static void kq_unpack_q6k_x8_rows(int64_t nb, const uint8_t *w, int64_t ws, int32_t nrows, uint8_t *panel) {
    (void)ws, (void)nrows;
    kq_unpack_q6k_x8(nb, w, panel);
}
KQ_DEFINE_PANEL_GEMM(kq_gemm_q4_k_x8, KQ_Q4K, kq_unpack_q4k_x8_rows)
KQ_DEFINE_PANEL_GEMM(kq_gemm_q5_k_x8, KQ_Q5K, kq_unpack_q5k_x8_rows)
KQ_DEFINE_PANEL_GEMM(kq_gemm_q6_k_x8, KQ_Q6K, kq_unpack_q6k_x8_rows)

/* Installs the K-quant kernels into a table. */
static void kq_install(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q4_k, kq_gemm_q4_k, KQ_Q4K_PANEL};
    k->mm[PL_TYPE_Q5_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q5_k, kq_gemm_q5_k, KQ_Q4K_PANEL};
    k->mm[PL_TYPE_Q6_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q6_k, kq_gemm_q6_k, KQ_Q6K_PANEL};
    k->mm[PL_TYPE_Q4_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q4_k_x8, kq_gemm_q4_k_x8,
                                            KQ_Q4K_PANEL};
    k->mm[PL_TYPE_Q6_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q6_k_x8, kq_gemm_q6_k_x8,
                                            KQ_Q6K_PANEL};
    k->mm[PL_TYPE_Q5_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemv_q5_k_x8, kq_gemm_q5_k_x8,
                                            KQ_Q4K_PANEL};
    k->repack_as[PL_TYPE_Q4_K] = PL_TYPE_Q4_K_X8;
    k->repack_as[PL_TYPE_Q5_K] = PL_TYPE_Q5_K_X8;
    k->repack_as[PL_TYPE_Q6_K] = PL_TYPE_Q6_K_X8;
}

#endif /* PL_KQ_TILES_H */
