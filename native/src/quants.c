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
    [PL_TYPE_Q8_0] = {PL_QK, PL_Q8_0_BYTES, "q8_0"},
    [PL_TYPE_Q8_1] = {PL_QK, PL_Q8_1_BYTES, "q8_1"},
    [PL_TYPE_Q4_K] = {PL_QK_K, PL_Q4_K_BYTES, "q4_K"},
    [PL_TYPE_Q6_K] = {PL_QK_K, PL_Q6_K_BYTES, "q6_K"},
    [PL_TYPE_BF16] = {1, 2, "bf16"},
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
static void quantize_q4_0(const float *x, uint8_t *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_QK, y += PL_Q4_0_BYTES) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < PL_QK; j++) {
            if (amax < fabsf(x[j])) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        }
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
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < PL_QK; j++) {
            if (x[j] < min) min = x[j];
            if (x[j] > max) max = x[j];
        }
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
    case PL_TYPE_Q8_0: quantize_q8_0(x, y, n / PL_QK); return PL_OK;
    case PL_TYPE_Q8_1: quantize_q8_1(x, y, n / PL_QK); return PL_OK;
    default: return PL_ERR_TYPE;
    }
}

/* ---- reference dequantizers -------------------------------------------------------------- */
static void k4_scale_min(int j, const uint8_t *q, int *d, int *m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

static void dequantize_q4_k(const uint8_t *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += PL_Q4_K_BYTES) {
        const float d = pl_load_f16(x), dmin = pl_load_f16(x + 2);
        const uint8_t *scales = x + 4, *q = x + 16;
        for (int j = 0, is = 0; j < PL_QK_K; j += 64, is += 2, q += 32) {
            int sc, m;
            k4_scale_min(is, scales, &sc, &m);
            const float d1 = d * (float)sc, m1 = dmin * (float)m;
            k4_scale_min(is + 1, scales, &sc, &m);
            const float d2 = d * (float)sc, m2 = dmin * (float)m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
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
    case PL_TYPE_Q6_K: dequantize_q6_k(x, y, n / PL_QK_K); return PL_OK;
    default: return PL_ERR_TYPE;
    }
}

/* ---- public entry points ------------------------------------------------------------------- */
int32_t pl_dequantize(int32_t type, const void *src, pl_i64 src_bytes, float *dst, pl_i64 n) {
    if (src == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL) return PL_ERR_TYPE;
    if (n <= 0) return PL_ERR_ARG;
    pl_i64 need = pl_type_row_bytes(type, n);
    if (need < 0) return (int32_t)need;
    if (src_bytes < need) return PL_ERR_SIZE;
    return pl_ref_dequantize_row(type, src, dst, n);
}

int32_t pl_quantize(int32_t type, const float *src, pl_i64 n, void *dst, pl_i64 dst_bytes) {
    if (src == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL || type == PL_TYPE_Q4_K || type == PL_TYPE_Q6_K) return PL_ERR_TYPE;
    if (n <= 0) return PL_ERR_ARG;
    pl_i64 need = pl_type_row_bytes(type, n);
    if (need < 0) return (int32_t)need;
    if (dst_bytes < need) return PL_ERR_SIZE;
    return pl_ref_quantize_row(type, src, dst, n);
}

int32_t pl_get_rows(int32_t type, const void *table, pl_i64 table_bytes, pl_i64 n_rows, pl_i64 row_len,
                    const int32_t *ids, int32_t n_ids, float *dst) {
    if (table == NULL || ids == NULL || dst == NULL) return PL_ERR_NULL;
    if (pl_type_get(type) == NULL) return PL_ERR_TYPE;
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
