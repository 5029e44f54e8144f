/*
 * kq_tiles.h — K-quant (Q4_K, Q6_K) matmul kernels shared by the AVX2 and AVX-512 files (included,
 * not compiled on its own; each includer sets PL_VNNI and PL_KQ_RM).
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
 * Prefill runs the decode arithmetic per (row, token) with the rows of a tile held in L1 across
 * the tile's tokens (rows outer, tokens inner): every output sees one instruction sequence
 * whatever the tile, so prefill equals decode and no result depends on tiling or thread count.
 */
#ifndef PL_KQ_TILES_H
#define PL_KQ_TILES_H

#include <immintrin.h>

#include "pl_internal.h"

#define KQ_AI static inline __attribute__((always_inline))
#define KQ_MAXR 8
#ifndef PL_KQ_PREFETCH
#define PL_KQ_PREFETCH 512 /* bytes ahead to prefetch each weight row */
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

/* Decode and prefill: row groups of PL_KQ_RM outer (held in L1), tokens inner. */
#define KQ_DEFINE_GEMM(name, ROWS)                                                                         \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)scratch;                                                                                     \
        int32_t r = 0;                                                                                     \
        for (; r + PL_KQ_RM <= nr; r += PL_KQ_RM)                                                          \
            for (int32_t t = 0; t < nt; t++) ROWS(k, w + r * ws, ws, a + t * as, y + t * ldy + r, PL_KQ_RM);  \
        for (; r < nr; r++)                                                                                \
            for (int32_t t = 0; t < nt; t++) ROWS(k, w + r * ws, ws, a + t * as, y + t * ldy + r, 1);         \
    }

KQ_DEFINE_GEMM(kq_gemm_q4_k, kq_q4k_rows)
KQ_DEFINE_GEMM(kq_gemm_q6_k, kq_q6k_rows)

/* Installs the K-quant kernels into a table. */
static void kq_install(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemm_q4_k, kq_gemm_q4_k, 0};
    k->mm[PL_TYPE_Q6_K] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, kq_gemm_q6_k, kq_gemm_q6_k, 0};
}

#endif /* PL_KQ_TILES_H */
