/*
 * Tensor formats: ggml block layouts and the scalar reference conversions (bit-exact with
 * ggml's quantize_row_*_ref / dequantize_row_*), plus the public type, quantize, dequantize and
 * embedding-lookup entry points.
 */
#include <float.h>
#include <math.h>

#include "pl_internal.h"

float pl_fp16_table[65536];

void pl_fp16_table_init(void) {
    for (uint32_t h = 0; h < 65536; h++) pl_fp16_table[h] = pl_fp16_to_fp32((uint16_t)h);
}

static const pl_type_info TYPES[PL_TYPE_SLOTS] = {
    [PL_TYPE_F32] = {1, 4, "f32"},
    [PL_TYPE_F16] = {1, 2, "f16"},
    [PL_TYPE_Q4_0] = {PL_QK, PL_Q4_0_BYTES, "q4_0"},
    [PL_TYPE_Q4_1] = {PL_QK, PL_Q4_1_BYTES, "q4_1"},
    [PL_TYPE_Q5_0] = {PL_QK, PL_Q5_0_BYTES, "q5_0"},
    [PL_TYPE_Q5_1] = {PL_QK, PL_Q5_1_BYTES, "q5_1"},
    [PL_TYPE_Q8_0] = {PL_QK, PL_Q8_0_BYTES, "q8_0"},
    [PL_TYPE_Q8_1] = {PL_QK, PL_Q8_1_BYTES, "q8_1"},
    [PL_TYPE_Q4_K] = {PL_QK_K, PL_Q4_K_BYTES, "q4_K"},
    [PL_TYPE_Q5_K] = {PL_QK_K, PL_Q5_K_BYTES, "q5_K"},
    [PL_TYPE_Q6_K] = {PL_QK_K, PL_Q6_K_BYTES, "q6_K"},
    [PL_TYPE_BF16] = {1, 2, "bf16"},
    [PL_TYPE_Q4_0_X8] = {PL_QK, PL_Q4_0_BYTES, "q4_0_x8", PL_TYPE_Q4_0},
    [PL_TYPE_Q4_1_X8] = {PL_QK, PL_Q4_1_BYTES, "q4_1_x8", PL_TYPE_Q4_1},
    [PL_TYPE_Q5_0_X8] = {PL_QK, PL_Q5_0_BYTES, "q5_0_x8", PL_TYPE_Q5_0},
    [PL_TYPE_Q5_1_X8] = {PL_QK, PL_Q5_1_BYTES, "q5_1_x8", PL_TYPE_Q5_1},
    [PL_TYPE_Q4_K_X8] = {PL_QK_K, PL_Q4_K_X8_BYTES, "q4_K_x8", PL_TYPE_Q4_K},
    [PL_TYPE_Q6_K_X8] = {PL_QK_K, PL_Q6_K_BYTES, "q6_K_x8", PL_TYPE_Q6_K},
    [PL_TYPE_Q5_K_X8] = {PL_QK_K, PL_Q5_K_X8_BYTES, "q5_K_x8", PL_TYPE_Q5_K},
};

const pl_type_info *pl_type_get(int32_t type) {
    if (type < 0 || type >= PL_TYPE_SLOTS || TYPES[type].name == NULL) return NULL;
    return &TYPES[type];
}

int32_t pl_type_block_elems(int32_t type) {
    const pl_type_info *t = pl_type_get(type);
    return t ? t->block_elems : 0;
}

int32_t pl_type_block_bytes(int32_t type) {
    const pl_type_info *t = pl_type_get(type);
    return t ? t->block_bytes : 0;
}

pl_i64 pl_type_row_bytes(int32_t type, pl_i64 n) {
    const pl_type_info *t = pl_type_get(type);
    if (t == NULL) return PL_ERR_TYPE;
    if (n < 0 || n % t->block_elems != 0) return PL_ERR_ARG;
    if (n / t->block_elems > INT64_MAX / t->block_bytes) return PL_ERR_ARG;
    return n / t->block_elems * t->block_bytes;
}

const char *pl_type_name(int32_t type) {
    const pl_type_info *t = pl_type_get(type);
    return t ? t->name : NULL;
}

/* ---- reference quantizers ---------------------------------------------------------------- */
/* The block's element of largest magnitude, with its sign (the first one on ties, as ggml). */
static float signed_absmax(const float *x) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < PL_QK; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    return max;
}

/* the smallest and largest of a block's 32 values (Q4_1, Q5_1) */
static void block_min_max(const float *x, float *min, float *max) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < PL_QK; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *min = lo;
    *max = hi;
}

static void quantize_q4_0(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q4_0_BYTES) {
        const float max = signed_absmax(x);
        const float d = max / -8;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        pl_store_f16(y, d);
        for (int j = 0; j < PL_QK / 2; j++) {
            const float x0 = x[j] * id, x1 = x[j + PL_QK / 2] * id;
            int q0 = (int8_t)(x0 + 8.5f), q1 = (int8_t)(x1 + 8.5f);
            q0 = q0 < 15 ? q0 : 15;
            q1 = q1 < 15 ? q1 : 15;
            y[2 + j] = (uint8_t)((uint8_t)q0 | ((uint8_t)q1 << 4));
        }
    }
}

static void quantize_q4_1(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q4_1_BYTES) {
        float min, max;
        block_min_max(x, &min, &max);
        const float d = (max - min) / 15;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        pl_store_f16(y, d);
        pl_store_f16(y + 2, min);
        for (int j = 0; j < PL_QK / 2; j++) {
            const float x0 = (x[j] - min) * id, x1 = (x[j + PL_QK / 2] - min) * id;
            int q0 = (int8_t)(x0 + 0.5f), q1 = (int8_t)(x1 + 0.5f);
            q0 = q0 < 15 ? q0 : 15;
            q1 = q1 < 15 ? q1 : 15;
            y[4 + j] = (uint8_t)((uint8_t)q0 | ((uint8_t)q1 << 4));
        }
    }
}

/* Q5_0: as Q4_0 with 32 levels (d = signed extreme / -16); the 5th bits of the 32 codes go to qh. */
static void quantize_q5_0(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q5_0_BYTES) {
        const float max = signed_absmax(x);
        const float d = max / -16;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        pl_store_f16(y, d);
        uint32_t qh = 0;
        for (int j = 0; j < PL_QK / 2; j++) {
            const float x0 = x[j] * id, x1 = x[j + PL_QK / 2] * id;
            int q0 = (int8_t)(x0 + 16.5f), q1 = (int8_t)(x1 + 16.5f);
            q0 = q0 < 31 ? q0 : 31;
            q1 = q1 < 31 ? q1 : 31;
            y[6 + j] = (uint8_t)((q0 & 0xF) | ((q1 & 0xF) << 4));
            qh |= ((uint32_t)(q0 >> 4) & 1u) << j;
            qh |= ((uint32_t)(q1 >> 4) & 1u) << (j + 16);
        }
        memcpy(y + 2, &qh, 4);
    }
}

/* Q5_1: as Q4_1 with 32 levels; ggml casts to uint8_t and does not clamp (codes stay <= 31). */
static void quantize_q5_1(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q5_1_BYTES) {
        float min, max;
        block_min_max(x, &min, &max);
        const float d = (max - min) / 31;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        pl_store_f16(y, d);
        pl_store_f16(y + 2, min);
        uint32_t qh = 0;
        for (int j = 0; j < PL_QK / 2; j++) {
            const float x0 = (x[j] - min) * id, x1 = (x[j + PL_QK / 2] - min) * id;
            const unsigned q0 = (uint8_t)(x0 + 0.5f), q1 = (uint8_t)(x1 + 0.5f);
            y[8 + j] = (uint8_t)((q0 & 0xF) | ((q1 & 0xF) << 4));
            qh |= ((q0 >> 4) & 1u) << j;
            qh |= ((q1 >> 4) & 1u) << (j + 16);
        }
        memcpy(y + 4, &qh, 4);
    }
}

static void quantize_q8_0(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q8_0_BYTES) {
        float amax = 0.0f;
        for (int j = 0; j < PL_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        pl_store_f16(y, d);
        for (int j = 0; j < PL_QK; j++) y[2 + j] = (uint8_t)(int8_t)roundf(x[j] * id);
    }
}

static void quantize_q8_1(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q8_1_BYTES) {
        float amax = 0.0f;
        for (int j = 0; j < PL_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < PL_QK; j++) {
            int8_t q = (int8_t)roundf(x[j] * id);
            y[4 + j] = (uint8_t)q;
            sum += q;
        }
        pl_store_f16(y, d);
        pl_store_f16(y + 2, (float)sum * d);
    }
}

/* ---- K-quant reference quantizers (ggml's quantize_row_q4_K_ref / q6_K_ref / q8_K_ref) ------
 * The same float operations in the same order as ggml's reference, so the bytes match it exactly.
 * Rounding is to nearest even (ggml's nearest_int adds 1.5 * 2^23 and keeps the mantissa). */
static inline int k_nearest(float f) {
    /* adding 1.5 * 2^23 leaves round-to-nearest-even(f) in the low mantissa bits (|f| < 2^22) */
    const uint32_t u = pl_f32_bits(f + 12582912.0f);
    return (int)(u & 0x007fffffu) - 0x00400000;
}

/*
 * Q4_K sub-block fit: codes l in [0, nmax] with x ~ scale * l - min, weighted least squares over a
 * small grid of candidate scales (rmin + rdelta * is + nmax) / (max - min), keeping the best weighted
 * squared error. Returns the scale, *neg_min = the (non-negative) offset subtracted.
 */
static float k_fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                             float rmin, float rdelta, int nstep) {
    uint8_t Laux[32];
    float min = x[0], max = x[0], sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = (float)nmax / (max - min);
    float scale = 1 / iscale;
    float best_err = 0;
    for (int i = 0; i < n; i++) {
        int l = k_nearest(iscale * (x[i] - min));
        L[i] = (uint8_t)(l < 0 ? 0 : l > nmax ? nmax : l);
        const float diff = scale * (float)L[i] + min - x[i];
        best_err += w[i] * (diff * diff);
    }
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + rdelta * (float)is + (float)nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            int l = k_nearest(iscale * (x[i] - min));
            l = l < 0 ? 0 : l > nmax ? nmax : l;
            Laux[i] = (uint8_t)l;
            const float fl = (float)l;
            sum_l += w[i] * fl;
            sum_l2 += w[i] * fl * fl;
            sum_xl += w[i] * fl * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float err = 0;
            for (int i = 0; i < n; i++) {
                const float diff = this_scale * (float)Laux[i] + this_min - x[i];
                err += w[i] * (diff * diff);
            }
            if (err < best_err) {
                memcpy(L, Laux, (size_t)n);
                best_err = err;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *neg_min = -min;
    return scale;
}

/* Q4_K (nmax 15) and Q5_K (nmax 31, its 5th bits in qh): the same scale/min fit and packing, as
 * ggml's quantize_row_q4_K_ref / q5_K_ref (which differ only in the grid: -1 + 0.1 i, i <= 20 vs
 * -0.5 + 0.1 i, i <= 15). */
static void quantize_q45_k(const float *x, uint8_t *y, int64_t nb, int q5) {
    uint8_t L[PL_QK_K];
    float w[32], mins[8], scales[8];
    const int nmax = q5 ? 31 : 15, bytes = q5 ? PL_Q5_K_BYTES : PL_Q4_K_BYTES;
    for (int64_t i = 0; i < nb; i++, x += PL_QK_K, y += bytes) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 8; j++) {
            const float *xs = x + 32 * j;
            float sum_x2 = 0;
            for (int l = 0; l < 32; l++) sum_x2 += xs[l] * xs[l];
            const float av_x = sqrtf(sum_x2 / 32);
            for (int l = 0; l < 32; l++) w[l] = av_x + fabsf(xs[l]);
            scales[j] = q5 ? k_fit_scale_min(32, 31, xs, w, L + 32 * j, &mins[j], -0.5f, 0.1f, 15)
                           : k_fit_scale_min(32, 15, xs, w, L + 32 * j, &mins[j], -1.0f, 0.1f, 20);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
        const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
        uint8_t *sc = y + 4;
        memset(sc, 0, 12);
        for (int j = 0; j < 8; j++) {
            /* ggml stores nearest_int into a uint8_t before clamping to 63 */
            uint8_t ls = (uint8_t)k_nearest(inv_scale * scales[j]), lm = (uint8_t)k_nearest(inv_min * mins[j]);
            ls = ls < 63 ? ls : 63;
            lm = lm < 63 ? lm : 63;
            if (j < 4) {
                sc[j] = ls;
                sc[j + 4] = lm;
            } else {
                sc[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
                sc[j - 4] |= (uint8_t)((ls >> 4) << 6);
                sc[j] |= (uint8_t)((lm >> 4) << 6);
            }
        }
        pl_store_f16(y, max_scale / 63.0f);
        pl_store_f16(y + 2, max_min / 63.0f);
        const float d_all = pl_load_f16(y), dmin_all = pl_load_f16(y + 2);
        for (int j = 0; j < 8; j++) {
            int s, m;
            pl_q4k_scale_min(j, sc, &s, &m);
            const float d = d_all * (float)s;
            if (d == 0.0f) continue;
            const float dm = dmin_all * (float)m;
            for (int l = 0; l < 32; l++) {
                const int q = k_nearest((x[32 * j + l] + dm) / d);
                L[32 * j + l] = (uint8_t)(q < 0 ? 0 : q > nmax ? nmax : q);
            }
        }
        uint8_t *q = y + (q5 ? 48 : 16), *qh = y + 16;
        if (q5) memset(qh, 0, 32);
        for (int j = 0, sb = 0; j < PL_QK_K; j += 64, q += 32, sb += 2)
            for (int l = 0; l < 32; l++) {
                const int l1 = L[j + l], l2 = L[j + l + 32];
                q[l] = (uint8_t)((l1 & 0xF) | ((l2 & 0xF) << 4));
                if (q5) qh[l] |= (uint8_t)(((l1 >> 4) << sb) | ((l2 >> 4) << (sb + 1)));
            }
    }
}

/*
 * Q6_K sub-block fit (ggml's make_qx_quants, rmse_type 1): codes in [-nmax, nmax-1] scaled from the
 * signed extreme, then 18 nearby scales tried, keeping the best x^2-weighted least-squares fit.
 * L gets codes + nmax.
 */
static float k_fit_scale_signed(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const float ax = fabsf(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < 1e-15f) { /* GROUP_MAX_EPS */
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = (float)-nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        int l = k_nearest(iscale * x[i]);
        l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
        L[i] = (int8_t)(l + nmax);
        const float w = x[i] * x[i], fl = (float)l;
        sumlx += w * x[i] * fl;
        suml2 += w * fl * fl;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; is++) {
        if (is == 0) continue;
        iscale = -((float)nmax + 0.1f * (float)is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = k_nearest(iscale * x[i]);
            l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
            const float w = x[i] * x[i], fl = (float)l;
            sumlx += w * x[i] * fl;
            suml2 += w * fl * fl;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; i++) {
                const int l = k_nearest(iscale * x[i]);
                L[i] = (int8_t)(nmax + (l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l));
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

static void quantize_q6_k(const float *x, uint8_t *y, int64_t nb) {
    int8_t L[PL_QK_K];
    float scales[16];
    for (int64_t i = 0; i < nb; i++, x += PL_QK_K, y += PL_Q6_K_BYTES) {
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < 16; ib++) {
            scales[ib] = k_fit_scale_signed(16, 32, x + 16 * ib, L + 16 * ib);
            if (fabsf(scales[ib]) > max_abs_scale) {
                max_abs_scale = fabsf(scales[ib]);
                max_scale = scales[ib];
            }
        }
        if (max_abs_scale < 1e-15f) {
            memset(y, 0, PL_Q6_K_BYTES);
            continue;
        }
        const float iscale = -128.0f / max_scale;
        pl_store_f16(y + 208, 1 / iscale);
        int8_t *sc = (int8_t *)(y + 192);
        for (int ib = 0; ib < 16; ib++) {
            const int s = k_nearest(iscale * scales[ib]);
            sc[ib] = (int8_t)(s < 127 ? s : 127);
        }
        const float d_all = pl_load_f16(y + 208);
        for (int j = 0; j < 16; j++) {
            const float d = d_all * (float)sc[j];
            if (d == 0.0f) continue;
            for (int l = 0; l < 16; l++) {
                int q = k_nearest(x[16 * j + l] / d);
                q = q < -32 ? -32 : q > 31 ? 31 : q;
                L[16 * j + l] = (int8_t)(q + 32);
            }
        }
        uint8_t *ql = y, *qh = y + 128;
        for (int j = 0; j < PL_QK_K; j += 128, ql += 64, qh += 32)
            for (int l = 0; l < 32; l++) {
                const int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                ql[l] = (uint8_t)((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[l + 32] = (uint8_t)((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[l] = (uint8_t)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
    }
}

void pl_quantize_q8_k(const float *x, void *dst, int64_t k) {
    uint8_t *y = (uint8_t *)dst;
    for (int64_t i = 0; i < k / PL_QK_K; i++, x += PL_QK_K, y += PL_Q8_K_BYTES) {
        float max = 0, amax = 0;
        for (int j = 0; j < PL_QK_K; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        int8_t *qs = (int8_t *)(y + 4);
        int16_t bsums[16];
        float d = 0.0f;
        if (amax == 0.0f) {
            memset(qs, 0, PL_QK_K);
            memset(bsums, 0, sizeof(bsums));
        } else {
            const float iscale = -127.0f / max;
            for (int j = 0; j < PL_QK_K; j++) {
                const int v = k_nearest(iscale * x[j]);
                qs[j] = (int8_t)(v < 127 ? v : 127);
            }
            for (int j = 0; j < 16; j++) {
                int s = 0;
                for (int l = 0; l < 16; l++) s += qs[16 * j + l];
                bsums[j] = (int16_t)s;
            }
            d = 1 / iscale;
        }
        memcpy(y, &d, 4);
        memcpy(y + 4 + PL_QK_K, bsums, sizeof(bsums));
    }
}

int pl_ref_quantize_row(int32_t type, const float *x, void *dst, int64_t n) {
    uint8_t *y = (uint8_t *)dst;
    switch (type) {
    case PL_TYPE_F32: memcpy(y, x, (size_t)n * 4); return PL_OK;
    case PL_TYPE_F16:
        for (int64_t i = 0; i < n; i++) {
            uint16_t h = pl_fp32_to_fp16(x[i]);
            memcpy(y + 2 * i, &h, 2);
        }
        return PL_OK;
    case PL_TYPE_BF16:
        for (int64_t i = 0; i < n; i++) {
            uint16_t h = pl_fp32_to_bf16(x[i]);
            memcpy(y + 2 * i, &h, 2);
        }
        return PL_OK;
    case PL_TYPE_Q4_0: quantize_q4_0(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q4_1: quantize_q4_1(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q5_0: quantize_q5_0(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q5_1: quantize_q5_1(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q8_0: quantize_q8_0(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q8_1: quantize_q8_1(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q4_K: quantize_q45_k(x, y, n / PL_QK_K, 0); return PL_OK;
    case PL_TYPE_Q5_K: quantize_q45_k(x, y, n / PL_QK_K, 1); return PL_OK;
    case PL_TYPE_Q6_K: quantize_q6_k(x, y, n / PL_QK_K); return PL_OK;
    default: return PL_ERR_TYPE;
    }
}

/* ---- reference dequantizers -------------------------------------------------------------- */
static void dequantize_q4_k(const uint8_t *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_Q4_K_BYTES) {
        const float d = pl_load_f16(x), dmin = pl_load_f16(x + 2);
        const uint8_t *scales = x + 4, *q = x + 16;
        for (int j = 0, is = 0; j < PL_QK_K; j += 64, is += 2, q += 32) {
            int sc, m;
            pl_q4k_scale_min(is, scales, &sc, &m);
            const float d1 = d * (float)sc, m1 = dmin * (float)m;
            pl_q4k_scale_min(is + 1, scales, &sc, &m);
            const float d2 = d * (float)sc, m2 = dmin * (float)m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

static void dequantize_q5_k(const uint8_t *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_Q5_K_BYTES) {
        const float d = pl_load_f16(x), dmin = pl_load_f16(x + 2);
        const uint8_t *scales = x + 4, *qh = x + 16, *q = x + 48;
        for (int j = 0, is = 0; j < PL_QK_K; j += 64, is += 2, q += 32) {
            int sc, m;
            pl_q4k_scale_min(is, scales, &sc, &m);
            const float d1 = d * (float)sc, m1 = dmin * (float)m;
            pl_q4k_scale_min(is + 1, scales, &sc, &m);
            const float d2 = d * (float)sc, m2 = dmin * (float)m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)((q[l] & 0xF) + (((qh[l] >> is) & 1) << 4)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)((q[l] >> 4) + (((qh[l] >> (is + 1)) & 1) << 4)) - m2;
        }
    }
}

static void dequantize_q6_k(const uint8_t *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_Q6_K_BYTES) {
        const float d = pl_load_f16(x + 208);
        const uint8_t *ql = x, *qh = x + 128;
        const int8_t *sc = (const int8_t *)(x + 192);
        for (int n = 0; n < PL_QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = (int8_t)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

int pl_ref_dequantize_row(int32_t type, const void *src, float *y, int64_t n) {
    const uint8_t *x = (const uint8_t *)src;
    switch (type) {
    case PL_TYPE_F32: memcpy(y, x, (size_t)n * 4); return PL_OK;
    case PL_TYPE_F16:
        for (int64_t i = 0; i < n; i++) y[i] = pl_load_f16(x + 2 * i);
        return PL_OK;
    case PL_TYPE_BF16:
        for (int64_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, x + 2 * i, 2);
            y[i] = pl_bf16_to_fp32(h);
        }
        return PL_OK;
    case PL_TYPE_Q4_0:
        for (int64_t i = 0; i < n / PL_QK; i++, x += PL_Q4_0_BYTES, y += PL_QK) {
            const float d = pl_load_f16(x);
            for (int j = 0; j < 16; j++) {
                y[j] = (float)((x[2 + j] & 0xF) - 8) * d;
                y[j + 16] = (float)((x[2 + j] >> 4) - 8) * d;
            }
        }
        return PL_OK;
    case PL_TYPE_Q4_1:
        for (int64_t i = 0; i < n / PL_QK; i++, x += PL_Q4_1_BYTES, y += PL_QK) {
            const float d = pl_load_f16(x), m = pl_load_f16(x + 2);
            for (int j = 0; j < 16; j++) {
                y[j] = (float)(x[4 + j] & 0xF) * d + m;
                y[j + 16] = (float)(x[4 + j] >> 4) * d + m;
            }
        }
        return PL_OK;
    case PL_TYPE_Q5_0:
    case PL_TYPE_Q5_1: {
        const int q51 = type == PL_TYPE_Q5_1, bytes = q51 ? PL_Q5_1_BYTES : PL_Q5_0_BYTES, qs = bytes - 16;
        for (int64_t i = 0; i < n / PL_QK; i++, x += bytes, y += PL_QK) {
            const float d = pl_load_f16(x), m = q51 ? pl_load_f16(x + 2) : 0.0f;
            uint32_t qh;
            memcpy(&qh, x + qs - 4, 4);
            for (int j = 0; j < 16; j++) {
                const int c0 = (x[qs + j] & 0xF) | (int)(((qh >> j) & 1u) << 4);
                const int c1 = (x[qs + j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4);
                y[j] = q51 ? (float)c0 * d + m : (float)(c0 - 16) * d;
                y[j + 16] = q51 ? (float)c1 * d + m : (float)(c1 - 16) * d;
            }
        }
        return PL_OK;
    }
    case PL_TYPE_Q8_0:
    case PL_TYPE_Q8_1: {
        const int bytes = type == PL_TYPE_Q8_0 ? PL_Q8_0_BYTES : PL_Q8_1_BYTES;
        const int off = bytes - PL_QK;
        for (int64_t i = 0; i < n / PL_QK; i++, x += bytes, y += PL_QK) {
            const float d = pl_load_f16(x);
            for (int j = 0; j < PL_QK; j++) y[j] = (float)(int8_t)x[off + j] * d;
        }
        return PL_OK;
    }
    case PL_TYPE_Q4_K: dequantize_q4_k(x, y, n / PL_QK_K); return PL_OK;
    case PL_TYPE_Q5_K: dequantize_q5_k(x, y, n / PL_QK_K); return PL_OK;
    case PL_TYPE_Q6_K: dequantize_q6_k(x, y, n / PL_QK_K); return PL_OK;
    default: return PL_ERR_TYPE;
    }
}

/* ---- public entry points ------------------------------------------------------------------- */
int32_t pl_dequantize(int32_t type, const void *src, pl_i64 src_bytes, float *dst, pl_i64 n) {
    if (src == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL || pl_type_get(type)->plain) return PL_ERR_TYPE; /* repacked: no rows */
    if (n <= 0) return PL_ERR_ARG;
    pl_i64 need = pl_type_row_bytes(type, n);
    if (need < 0) return (int32_t)need;
    if (src_bytes < need) return PL_ERR_SIZE;
    return pl_ref_dequantize_row(type, src, dst, n);
}

int32_t pl_quantize(int32_t type, const float *src, pl_i64 n, void *dst, pl_i64 dst_bytes) {
    if (src == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL || pl_type_get(type)->plain) return PL_ERR_TYPE; /* repacked: no rows */
    if (n <= 0) return PL_ERR_ARG;
    pl_i64 need = pl_type_row_bytes(type, n);
    if (need < 0) return (int32_t)need;
    if (dst_bytes < need) return PL_ERR_SIZE;
    return pl_ref_quantize_row(type, src, dst, n);
}

int32_t pl_get_rows(int32_t type, const void *table, pl_i64 table_bytes, pl_i64 n_rows, pl_i64 row_len,
                    const int32_t *ids, int32_t n_ids, float *dst) {
    if (table == NULL || ids == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL || pl_type_get(type)->plain) return PL_ERR_TYPE; /* repacked: no rows */
    if (n_rows <= 0 || row_len <= 0 || n_ids < 0) return PL_ERR_ARG;
    pl_i64 rb = pl_type_row_bytes(type, row_len);
    if (rb < 0) return (int32_t)rb;
    if (n_rows > INT64_MAX / rb) return PL_ERR_ARG;
    if (table_bytes < rb * n_rows) return PL_ERR_SIZE;
    for (int32_t i = 0; i < n_ids; i++)
        if (ids[i] < 0 || ids[i] >= n_rows) return PL_ERR_ARG;
    for (int32_t i = 0; i < n_ids; i++)
        pl_ref_dequantize_row(type, (const uint8_t *)table + rb * ids[i], dst + (int64_t)i * row_len, row_len);
    return PL_OK;
}
