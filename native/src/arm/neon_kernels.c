/*
 * The NEON tables (baseline ARMv8.0-A Advanced SIMD, and its dotprod variant): the scalar table,
 * then the NEON kernels of this folder (quantized matmul: neon_matmul.c / dotprod_matmul.c and
 * neon_kquants.c, attention: neon_attention.c) and the row ops, conversions and float matmuls below. Anything not
 * overridden runs the scalar reference.
 */
#include <math.h>

#include "neon_internal.h"

/* ---- F32 / F16 weights x F32 activations ---------------------------------------------------------
 * One dot product per output in a fixed order: 4 accumulators of 4 lanes over 16 elements at a time,
 * then 4 at a time into the first, ((a0+a1)+(a2+a3)) pairwise-reduced, then the last k % 4 with
 * scalar FMAs. Rows may sit at any byte offset (GGUF), so weights are loaded as bytes. */
PL_AI float32x4_t wload(const uint8_t *w, int64_t i, const int F16) {
    return F16 ? vcvt_f32_f16(vreinterpret_f16_u8(vld1_u8(w + 2 * i))) : vreinterpretq_f32_u8(vld1q_u8(w + 4 * i));
}
PL_AI float wload1(const uint8_t *w, int64_t i, const int F16) {
    if (F16) return pl_load_f16(w + 2 * i);
    float f;
    memcpy(&f, w + 4 * i, 4);
    return f;
}

PL_AI float dot_float(int64_t k, const uint8_t *w, const float *x, const int F16) {
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
        a0 = vfmaq_f32(a0, wload(w, i, F16), vld1q_f32(x + i));
        a1 = vfmaq_f32(a1, wload(w, i + 4, F16), vld1q_f32(x + i + 4));
        a2 = vfmaq_f32(a2, wload(w, i + 8, F16), vld1q_f32(x + i + 8));
        a3 = vfmaq_f32(a3, wload(w, i + 12, F16), vld1q_f32(x + i + 12));
    }
    for (; i + 4 <= k; i += 4) a0 = vfmaq_f32(a0, wload(w, i, F16), vld1q_f32(x + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    for (; i < k; i++) s = fmaf(wload1(w, i, F16), x[i], s);
    return s;
}

/* rows outer, tokens inner: a row is read from memory once and from L1 for the tile's other tokens */
PL_AI void gemm_float(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, float *y,
                      int64_t ldy, const int F16) {
    for (int32_t r = 0; r < nr; r++)
        for (int32_t t = 0; t < nt; t++)
            y[t * ldy + r] = dot_float(k, w + r * ws, (const float *)(const void *)(a + t * as), F16);
}

static void gemm_f32(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, float *y,
                     int64_t ldy, void *scratch) {
    gemm_float(k, w, ws, nr, a, as, nt, y, ldy, 0);
    (void)scratch;
}
static void gemm_f16(int64_t k, const uint8_t *w, int64_t ws, int32_t nr, const uint8_t *a, int64_t as, int32_t nt, float *y,
                     int64_t ldy, void *scratch) {
    gemm_float(k, w, ws, nr, a, as, nt, y, ldy, 1);
    (void)scratch;
}

/* ---- conversions: FCVT rounds to nearest even and keeps subnormals (Linux's FPCR: no flush), as
 * pl_fp32_to_fp16; a NaN keeps its sign and top payload bits and is quieted, as there. ---------- */
static void f16_to_f32(const uint16_t *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(src + i));
        vst1q_f32(dst + i, vcvt_f32_f16(vget_low_f16(h)));
        vst1q_f32(dst + i + 4, vcvt_high_f32_f16(h));
    }
    for (; i < n; i++) dst[i] = pl_fp16_to_fp32(src[i]);
}

static void f32_to_f16(const float *src, uint16_t *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(src + i)), vld1q_f32(src + i + 4));
        vst1q_u16(dst + i, vreinterpretq_u16_f16(h));
    }
    for (; i < n; i++) dst[i] = pl_fp32_to_fp16(src[i]);
}

/* Q8_0 blocks (a Q8_0 KV cache) to floats: (float)code * d per element, as the reference */
static void q8_0_to_f32(const uint8_t *src, float *dst, int64_t n) {
    for (int64_t b = 0; b < n / PL_QK; b++, src += PL_Q8_0_BYTES, dst += PL_QK) {
        const float d = pl_load_f16(src);
        for (int h = 0; h < 2; h++) {
            const int8x16_t q = vld1q_s8((const int8_t *)(src + 2 + 16 * h));
            const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
            float *o = dst + 16 * h;
            vst1q_f32(o, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
            vst1q_f32(o + 4, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
            vst1q_f32(o + 8, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
            vst1q_f32(o + 12, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
        }
    }
}

/* ---- row ops --------------------------------------------------------------------------------- */
/* As the reference: squares rounded to float, summed in double (4 double lanes, then the tail),
 * scale = 1/sqrtf(mean + eps), y = (x * scale) * w. */
static void rmsnorm_row(const float *x, const float *w, float *y, int64_t n, float eps) {
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        const float32x4_t sq = vmulq_f32(v, v);
        s0 = vaddq_f64(s0, vcvt_f64_f32(vget_low_f32(sq)));
        s1 = vaddq_f64(s1, vcvt_high_f64_f32(sq));
    }
    double sum = vaddvq_f64(vaddq_f64(s0, s1));
    for (; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_f32(vmulq_n_f32(vld1q_f32(x + i), scale), vld1q_f32(w + i)));
    for (; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

/* y += a * x, rounded after the multiply as the reference (not fused) */
static void axpy_f32(float *y, float a, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_n_f32(vld1q_f32(x + i), a)));
    for (; i < n; i++) y[i] += a * x[i];
}

static void scale_f32(float *y, float a, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(y + i), a));
    for (; i < n; i++) y[i] *= a;
}

void pl_kernels_fill_neon(pl_kernels *k, int dotprod) {
    pl_kernels_fill_scalar(k);
    k->isa = PL_ISA_NEON;
    k->variant = dotprod ? "neon-dotprod" : "neon";
    pl_neon_install_matmul(k);
    if (dotprod) pl_neon_install_matmul_dotprod(k);
    pl_neon_install_kquants(k);
    k->mm[PL_TYPE_F32].gemv = k->mm[PL_TYPE_F32].gemm = gemm_f32;
    k->mm[PL_TYPE_F16].gemv = k->mm[PL_TYPE_F16].gemm = gemm_f16;
    pl_neon_install_attention(k);
    k->rmsnorm_row = rmsnorm_row;
    k->axpy_f32 = axpy_f32;
    k->scale_f32 = scale_f32;
    k->f16_to_f32 = f16_to_f32;
    k->f32_to_f16 = f32_to_f16;
    k->q8_0_to_f32 = q8_0_to_f32;
}
