/*
 * Repacked weights (the *_X8 layouts of panllama.h): the copy from the file's row-major blocks,
 * and the scalar reference matmul every SIMD path of these layouts is tested against.
 *
 * Why: a row-major matrix-vector product keeps 8 rows in flight, each a separate stream, and spends
 * most of its instructions per (row, block) on turning one block's 8 lane sums into a float (scale,
 * convert, multiply-add, and a horizontal reduction at the end). With 8 rows interleaved block by
 * block, one 32-byte vector holds 4 codes of each of 8 rows, the integer dot products land in one
 * lane per row, and the float work is done once per 8 rows: about half the instructions of the
 * row-major kernel, read as one linear stream. The panel layout is also what the prefill GEMM
 * builds per tile, so decode and prefill of the same token give the same bits.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <math.h>
#include <stdlib.h>

#include "pl_internal.h"

/* Measured on a 1B Q4_0 model: 2 MiB pages (MADV_HUGEPAGE) neither sped decode up nor made the copy
 * reliably faster (direct compaction stalls at first touch), so these are ordinary pages. */
void *pl_alloc(pl_i64 bytes) {
    if (bytes <= 0 || (uint64_t)bytes > SIZE_MAX / 2) return NULL;
#if defined(_WIN32)
    return _aligned_malloc((size_t)bytes, 64);
#else
    void *p = NULL;
    return posix_memalign(&p, 64, (size_t)bytes) == 0 ? p : NULL;
#endif
}

void pl_free(void *p) {
#if defined(_WIN32)
    _aligned_free(p);
#else
    free(p);
#endif
}

#define GROUPS 4 /* 32-byte groups per panel block: group h = bytes 4h..4h+3 of every row's qs[16] */

/* Bytes of a row's f16 scales (d, and m for Q4_1 / Q5_1) and of its qh (Q5_0 / Q5_1) at the head of its
 * block; a panel block holds 8 rows of each, in that order, then the code groups. */
static int32_t scale_bytes(int32_t plain) { return plain == PL_TYPE_Q4_1 || plain == PL_TYPE_Q5_1 ? 4 : 2; }
static int32_t qh_bytes(int32_t plain) { return plain == PL_TYPE_Q5_0 || plain == PL_TYPE_Q5_1 ? 4 : 0; }

/* One K-quant super-block of row r into its panel super-block pb. Q4_K and Q5_K share d, dmin, the
 * packed scales and the qs layout (Q5_K's qs after its qh). */
static void put_q45_k(const uint8_t *blk, int r, uint8_t *pb, int qs) {
    memcpy(pb + PL_K8_D + 2 * r, blk, 2);
    memcpy(pb + PL_K8_DMIN + 2 * r, blk + 2, 2);
    for (int j = 0; j < 8; j++) {
        int sc, mn;
        pl_q4k_scale_min(j, blk + 4, &sc, &mn);
        pb[PL_K8_SC + 8 * j + r] = (uint8_t)sc;
        pb[PL_K8_MN + 16 * (j / 2) + 2 * r + j % 2] = (uint8_t)mn;
    }
    for (int g = 0; g < 32; g++) memcpy(pb + PL_K8_CODES + 32 * g + 4 * r, blk + qs + 4 * g, 4);
}

static void put_q4_k(const uint8_t *blk, int r, uint8_t *pb) { put_q45_k(blk, r, pb, 16); }

static void put_q5_k(const uint8_t *blk, int r, uint8_t *pb) {
    put_q45_k(blk, r, pb, 48);
    for (int g = 0; g < 8; g++) memcpy(pb + PL_K5_QH + 32 * g + 4 * r, blk + 16 + 4 * g, 4);
}

static void put_q6_k(const uint8_t *blk, int r, uint8_t *pb) {
    memcpy(pb + PL_K6_D + 2 * r, blk + 208, 2);
    for (int sb = 0; sb < 16; sb++) pb[PL_K6_SC + 8 * sb + r] = blk[192 + sb];
    for (int g = 0; g < 32; g++) memcpy(pb + PL_K6_QL + 32 * g + 4 * r, blk + 4 * g, 4);
    for (int g = 0; g < 16; g++) memcpy(pb + PL_K6_QH + 32 * g + 4 * r, blk + 128 + 4 * g, 4);
}

/* K-quant rows -> panels of 8 (block / panel_block: bytes of a source / panel super-block; put: one row's
 * super-block into its panel super-block) */
static void repack_k(const uint8_t *w, int64_t rows, int64_t k, uint8_t *o, int64_t block, int64_t panel_block,
                     void (*put)(const uint8_t *blk, int r, uint8_t *pb)) {
    const int64_t nb = k / PL_QK_K, ws = nb * block;
    for (int64_t r0 = 0; r0 < rows; r0 += PL_PANEL_ROWS, o += nb * panel_block) {
        memset(o, 0, (size_t)(nb * panel_block)); /* padding rows: zero scales and codes */
        for (int r = 0; r < PL_PANEL_ROWS && r0 + r < rows; r++)
            for (int64_t b = 0; b < nb; b++) put(w + (r0 + r) * ws + b * block, r, o + b * panel_block);
    }
}

int32_t pl_repack_type(int32_t type) {
    if (type < 0 || type >= PL_TYPE_SLOTS) return type;
    const int32_t to = pl_kernels_active()->repack_as[type];
    return to != 0 ? to : type;
}

pl_i64 pl_matrix_bytes(int32_t type, pl_i64 rows, pl_i64 k) {
    const pl_type_info *t = pl_type_get(type);
    if (t == NULL) return PL_ERR_TYPE;
    if (rows <= 0 || k <= 0) return PL_ERR_ARG;
    const pl_i64 rb = pl_type_row_bytes(type, k);
    if (rb < 0) return rb;
    if (t->plain) rows = (rows + PL_PANEL_ROWS - 1) / PL_PANEL_ROWS * PL_PANEL_ROWS;
    if (rows > INT64_MAX / rb) return PL_ERR_ARG;
    return rows * rb;
}

int32_t pl_repack(int32_t type, const void *src, pl_i64 src_bytes, pl_i64 rows, pl_i64 k, int32_t to, void *dst,
                  pl_i64 dst_bytes) {
    if (src == NULL || dst == NULL) return PL_ERR_NULL;
    const pl_type_info *from = pl_type_get(type), *lay = pl_type_get(to);
    if (from == NULL || lay == NULL || from->plain) return PL_ERR_TYPE;
    if (to != type && lay->plain != type) return PL_ERR_TYPE;
    const pl_i64 need_src = pl_matrix_bytes(type, rows, k), need_dst = pl_matrix_bytes(to, rows, k);
    if (need_src < 0) return (int32_t)need_src;
    if (need_dst < 0) return (int32_t)need_dst;
    if (src_bytes < need_src || dst_bytes < need_dst) return PL_ERR_SIZE;
    if (to == type) {
        memmove(dst, src, (size_t)need_src);
        return PL_OK;
    }
    if (type == PL_TYPE_Q4_K || type == PL_TYPE_Q5_K || type == PL_TYPE_Q6_K) {
        const uint8_t *w = (const uint8_t *)src;
        if (type == PL_TYPE_Q4_K) repack_k(w, rows, k, (uint8_t *)dst, PL_Q4_K_BYTES, PL_K8_BYTES, put_q4_k);
        if (type == PL_TYPE_Q5_K) repack_k(w, rows, k, (uint8_t *)dst, PL_Q5_K_BYTES, PL_K5_BYTES, put_q5_k);
        if (type == PL_TYPE_Q6_K) repack_k(w, rows, k, (uint8_t *)dst, PL_Q6_K_BYTES, PL_K6_BYTES, put_q6_k);
        return PL_OK;
    }
    const uint8_t *w = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    const int64_t nb = k / PL_QK, wb = from->block_bytes, sb = scale_bytes(type), hb = qh_bytes(type), ws = nb * wb;
    for (int64_t r0 = 0; r0 < rows; r0 += PL_PANEL_ROWS) {
        const int real = rows - r0 < PL_PANEL_ROWS ? (int)(rows - r0) : PL_PANEL_ROWS;
        if (real < PL_PANEL_ROWS) memset(o, 0, (size_t)(nb * PL_PANEL_ROWS * wb)); /* the padding rows */
        for (int r = 0; r < real; r++) {
            /* row r's blocks, front to back: its scales (d, then m after all 8 d's), its qh, and its 16 code
             * bytes spread over the 4 groups */
            const uint8_t *blk = w + (r0 + r) * ws;
            uint8_t *pb = o;
            for (int64_t b = 0; b < nb; b++, blk += wb, pb += PL_PANEL_ROWS * wb) {
                memcpy(pb + 2 * r, blk, 2);
                if (sb == 4) memcpy(pb + 2 * PL_PANEL_ROWS + 2 * r, blk + 2, 2);
                if (hb) memcpy(pb + PL_PANEL_ROWS * sb + 4 * r, blk + sb, 4);
                uint8_t *g = pb + PL_PANEL_ROWS * (sb + hb) + 4 * r;
                for (int h = 0; h < GROUPS; h++) memcpy(g + 32 * h, blk + sb + hb + 4 * h, 4);
            }
        }
        o += nb * PL_PANEL_ROWS * wb;
    }
    return PL_OK;
}

/*
 * Scalar reference of Q4_0/Q4_1/Q5_0/Q5_1_X8: per row and block the exact integer dot product of the
 * codes (Q5: with their 5th bits; Q4_0 / Q5_0: minus 8 / 16 x the activation code sum), times (dx * dy)
 * fused-added to the row's sum; Q4_1 / Q5_1 add sum(m * s) kept apart and added last. Activations are
 * ggml's block_q8_0 (d, qs[32]) or block_q8_1 (d, s, qs[32]).
 */
static void gemm_x8(int32_t plain, int64_t k, const uint8_t *w, int32_t nr, const uint8_t *a, int64_t as, int32_t nt,
                    float *y, int64_t ldy) {
    const int mins = plain == PL_TYPE_Q4_1 || plain == PL_TYPE_Q5_1;
    const int64_t nb = k / PL_QK, wb = pl_type_block_bytes(plain);
    const int64_t ab = mins ? PL_Q8_1_BYTES : PL_Q8_0_BYTES, aq = ab - PL_QK;
    const int sb = scale_bytes(plain), hb = qh_bytes(plain);
    const int off = plain == PL_TYPE_Q4_0 ? 8 : plain == PL_TYPE_Q5_0 ? 16 : 0; /* code offset */
    for (int32_t t = 0; t < nt; t++)
        for (int32_t r = 0; r < nr; r++) {
            const uint8_t *panel = w + (int64_t)(r / PL_PANEL_ROWS) * PL_PANEL_ROWS * nb * wb;
            const int pr = r % PL_PANEL_ROWS;
            float acc = 0.0f, msum = 0.0f;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *pb = panel + b * PL_PANEL_ROWS * wb, *codes = pb + PL_PANEL_ROWS * (sb + hb);
                const uint8_t *ya = a + t * as + b * ab;
                uint32_t qh = 0; /* bit e: the 5th bit of element e */
                if (hb) memcpy(&qh, pb + PL_PANEL_ROWS * sb + 4 * pr, 4);
                int32_t isum = 0, ysum = 0;
                for (int h = 0; h < GROUPS; h++)
                    for (int j = 0; j < 4; j++) {
                        const uint8_t c = codes[32 * h + 4 * pr + j];
                        const int e = 4 * h + j;
                        const int lo = (c & 0xF) | (int)(((qh >> e) & 1u) << 4), hi = (c >> 4) | (int)(((qh >> (e + 16)) & 1u) << 4);
                        isum += lo * (int8_t)ya[aq + e] + hi * (int8_t)ya[aq + 16 + e];
                    }
                for (int j = 0; j < PL_QK; j++) ysum += (int8_t)ya[aq + j];
                isum -= off * ysum;
                acc = fmaf(pl_load_f16(pb + 2 * pr) * pl_load_f16(ya), (float)isum, acc);
                if (mins) msum = fmaf(pl_load_f16(pb + 2 * PL_PANEL_ROWS + 2 * pr), pl_load_f16(ya + 2), msum);
            }
            y[t * ldy + r] = acc + msum;
        }
}

/*
 * K-quant references, the panel GEMM's arithmetic: per row and super-block exact integer sums, then
 * fused multiply-adds into the row's float sum. Activations: ggml's block_q8_K (f32 d yd, int8 qs[256]
 * at 4, int16 bsums[16] after them).
 *
 * Q4_K / Q5_K: isum = sum over sub-blocks of scale x (codes . activation codes), offs = sum over
 * sub-blocks of min x (activation code sum); acc += (d * yd) * isum, then acc -= (dmin * yd) * offs.
 */
static float q45k_x8_block(const uint8_t *pb, int pr, const uint8_t *ya, float yd, const int16_t *bs, float acc, int q5) {
    int32_t isum = 0, offs = 0;
    for (int j = 0; j < 8; j++) {
        int32_t dot = 0;
        for (int l = 0; l < 32; l++) {
            const uint8_t c = pb[PL_K8_CODES + 32 * (8 * (j / 2) + l / 4) + 4 * pr + l % 4];
            const int fifth = q5 ? ((pb[PL_K5_QH + 32 * (l / 4) + 4 * pr + l % 4] >> j) & 1) << 4 : 0; /* Q5_K: bit j of qh[l] */
            dot += ((j % 2 ? c >> 4 : c & 0xF) | fifth) * (int8_t)ya[4 + 32 * j + l];
        }
        isum += pb[PL_K8_SC + 8 * j + pr] * dot;
        offs += pb[PL_K8_MN + 16 * (j / 2) + 2 * pr + j % 2] * (bs[2 * j] + bs[2 * j + 1]);
    }
    acc = fmaf(pl_load_f16(pb + PL_K8_D + 2 * pr) * yd, (float)isum, acc);
    return fmaf(-(pl_load_f16(pb + PL_K8_DMIN + 2 * pr) * yd), (float)offs, acc);
}

static float q4k_x8_block(const uint8_t *pb, int pr, const uint8_t *ya, float yd, const int16_t *bs, float acc) {
    return q45k_x8_block(pb, pr, ya, yd, bs, acc, 0);
}
static float q5k_x8_block(const uint8_t *pb, int pr, const uint8_t *ya, float yd, const int16_t *bs, float acc) {
    return q45k_x8_block(pb, pr, ya, yd, bs, acc, 1);
}

/* Q6_K_X8's 6-bit code of element e (0..255) of panel row pr: ql nibble | 2 qh bits << 4 (ggml's layout) */
static int q6_x8_code(const uint8_t *pb, int pr, int e) {
    const int h = e / 128, n = (e % 128) / 32, l = e % 32, g = l / 4, i = l % 4;
    const uint8_t ql = pb[PL_K6_QL + 32 * (8 * (2 * h + n % 2) + g) + 4 * pr + i];
    const uint8_t qh = pb[PL_K6_QH + 32 * (8 * h + g) + 4 * pr + i];
    return (n < 2 ? ql & 0xF : ql >> 4) | (((qh >> (2 * n)) & 3) << 4);
}

/* Q6_K: isum = sum over the 16 sub-blocks of scale x (codes 0..63 . activation codes) minus 32 x the sum of
 * scale x (activation code sum); acc += (d * yd) * isum. */
static float q6k_x8_block(const uint8_t *pb, int pr, const uint8_t *ya, float yd, const int16_t *bs, float acc) {
    int32_t isum = 0, offs = 0;
    for (int sb = 0; sb < 16; sb++) {
        int32_t dot = 0;
        for (int l = 0; l < 16; l++) dot += q6_x8_code(pb, pr, 16 * sb + l) * (int8_t)ya[4 + 16 * sb + l];
        const int sc = (int8_t)pb[PL_K6_SC + 8 * sb + pr];
        isum += sc * dot;
        offs += sc * bs[sb];
    }
    return fmaf(pl_load_f16(pb + PL_K6_D + 2 * pr) * yd, (float)(isum - 32 * offs), acc);
}

typedef float (*k_x8_block_fn)(const uint8_t *pb, int pr, const uint8_t *ya, float yd, const int16_t *bs, float acc);

static void gemm_k_x8(int64_t k, const uint8_t *w, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, float *y,
                      int64_t ldy, int64_t block_bytes, k_x8_block_fn block) {
    const int64_t nb = k / PL_QK_K;
    for (int32_t t = 0; t < nt; t++)
        for (int32_t r = 0; r < nr; r++) {
            const uint8_t *panel = w + (int64_t)(r / PL_PANEL_ROWS) * nb * block_bytes;
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *ya = a + t * as + b * PL_Q8_K_BYTES;
                float yd;
                memcpy(&yd, ya, 4);
                int16_t bs[16];
                memcpy(bs, ya + 4 + PL_QK_K, sizeof bs);
                acc = block(panel + b * block_bytes, r % PL_PANEL_ROWS, ya, yd, bs, acc);
            }
            y[t * ldy + r] = acc;
        }
}

/* the kernel-table entries: the shared references above, for one layout each */
#define X8_REFERENCE(name, call)                                                                            \
    static void name(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as,     \
                     int32_t nt, float *y, int64_t ldy, void *scratch) {                                    \
        (void)ws;                                                                                          \
        (void)scratch;                                                                                     \
        call;                                                                                              \
    }
X8_REFERENCE(gemm_q4_0_x8, gemm_x8(PL_TYPE_Q4_0, k, w, nr, a, as, nt, y, ldy))
X8_REFERENCE(gemm_q4_1_x8, gemm_x8(PL_TYPE_Q4_1, k, w, nr, a, as, nt, y, ldy))
X8_REFERENCE(gemm_q5_0_x8, gemm_x8(PL_TYPE_Q5_0, k, w, nr, a, as, nt, y, ldy))
X8_REFERENCE(gemm_q5_1_x8, gemm_x8(PL_TYPE_Q5_1, k, w, nr, a, as, nt, y, ldy))
X8_REFERENCE(gemm_q4_k_x8, gemm_k_x8(k, w, nr, a, as, nt, y, ldy, PL_K8_BYTES, q4k_x8_block))
X8_REFERENCE(gemm_q5_k_x8, gemm_k_x8(k, w, nr, a, as, nt, y, ldy, PL_K5_BYTES, q5k_x8_block))
X8_REFERENCE(gemm_q6_k_x8, gemm_k_x8(k, w, nr, a, as, nt, y, ldy, PL_K6_BYTES, q6k_x8_block))

static void act_q8_0(const float *x, void *dst, int64_t k) { pl_ref_quantize_row(PL_TYPE_Q8_0, x, dst, k); }
static void act_q8_1(const float *x, void *dst, int64_t k) { pl_ref_quantize_row(PL_TYPE_Q8_1, x, dst, k); }

void pl_repack_install_scalar(pl_kernels *k) {
    k->mm[PL_TYPE_Q4_0_X8] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemm_q4_0_x8, gemm_q4_0_x8, 0};
    k->mm[PL_TYPE_Q4_1_X8] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemm_q4_1_x8, gemm_q4_1_x8, 0};
    k->mm[PL_TYPE_Q5_0_X8] = (pl_mm_kernel){PL_QK, PL_Q8_0_BYTES, act_q8_0, gemm_q5_0_x8, gemm_q5_0_x8, 0};
    k->mm[PL_TYPE_Q5_1_X8] = (pl_mm_kernel){PL_QK, PL_Q8_1_BYTES, act_q8_1, gemm_q5_1_x8, gemm_q5_1_x8, 0};
    k->mm[PL_TYPE_Q4_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q4_k_x8, gemm_q4_k_x8, 0};
    k->mm[PL_TYPE_Q6_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q6_k_x8, gemm_q6_k_x8, 0};
    k->mm[PL_TYPE_Q5_K_X8] = (pl_mm_kernel){PL_QK_K, PL_Q8_K_BYTES, pl_quantize_q8_k, gemm_q5_k_x8, gemm_q5_k_x8, 0};
}
