package dev.panllama.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The K-quant super-block formats (256 elements) for {@link Quantizer}, bit for bit with ggml's
 * reference code: the same float operations in the same order (Java float arithmetic is IEEE
 * single precision without contraction, as ggml's reference build is), round to nearest even.
 *
 * <p>Q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32,
 * 128 bytes of nibbles (32 bytes per pair of sub-blocks: low nibbles the first, high the second);
 * x = d * scale * q - dmin * min. Q6_K (210 bytes): 128 bytes of low nibbles, 64 of 2-bit highs,
 * 16 int8 scales (sub-blocks of 16), f16 d; x = d * scale * (q - 32).
 */
final class KQuants {
    private KQuants() {}

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    private static final float GROUP_MAX_EPS = 1e-15f;

    /** ggml's nearest_int: adding 1.5 * 2^23 leaves round-half-even(f) in the low mantissa bits. */
    static int nearestInt(float f) {
        return (Float.floatToRawIntBits(f + 12582912f) & 0x007fffff) - 0x00400000;
    }

    private static float f16(MemorySegment s, long o) {
        return Float.float16ToFloat(s.get(LE16, o));
    }

    /** Sub-block j's 6-bit scale (min = false) or min (min = true) from the 12 packed bytes at o. */
    static int scaleMin(MemorySegment s, long o, int j, boolean min) {
        if (j < 4) return s.get(B, o + j + (min ? 4 : 0)) & 63;
        int hi = s.get(B, o + j + 4) & 0xff;
        return min ? (hi >>> 4) | (((s.get(B, o + j) & 0xff) >>> 6) << 4)
                : (hi & 0xf) | (((s.get(B, o + j - 4) & 0xff) >>> 6) << 4);
    }

    // ---- Q4_K -----------------------------------------------------------------------------------

    /**
     * Codes l in [0, nmax] with x ~ scale * l - min over a grid of candidate scales (weighted least
     * squares, keeping the lowest weighted squared error). Returns {scale, min offset}.
     */
    private static float[] fitScaleMin(float[] x, int xo, float[] w, int[] out, int oo, int nmax, float rmin, float rdelta,
                                       int nstep) {
        final int n = 32;
        int[] aux = new int[n];
        float min = x[xo], max = x[xo];
        float sumW = w[0], sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) min = v;
            if (v > max) max = v;
            sumW += w[i];
            sumX += w[i] * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) out[oo + i] = 0;
            return new float[] {0f, -min};
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float best = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
            out[oo + i] = l;
            float diff = scale * l + min - x[xo + i];
            best += w[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                aux[i] = l;
                sumL += w[i] * l;
                sumL2 += w[i] * l * l;
                sumXL += w[i] * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float err = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    err += w[i] * (diff * diff);
                }
                if (err < best) {
                    System.arraycopy(aux, 0, out, oo, n);
                    best = err;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        return new float[] {scale, -min};
    }

    static void quantizeQ4K(float[] x, int xo, MemorySegment y, long o) {
        quantizeQ45K(x, xo, y, o, false);
    }

    /**
     * Q5_K (176 bytes): Q4_K's d, dmin and 12 scale bytes, then qh[32] (bit j of qh[l]: the 5th bit of
     * element 32j + l), then Q4_K's nibble layout; ggml's quantize_row_q5_K_ref fits 5-bit codes on
     * the grid -0.5 + 0.1 i (i <= 15) instead of Q4_K's -1 + 0.1 i (i <= 20).
     */
    static void quantizeQ5K(float[] x, int xo, MemorySegment y, long o) {
        quantizeQ45K(x, xo, y, o, true);
    }

    private static void quantizeQ45K(float[] x, int xo, MemorySegment y, long o, boolean q5) {
        final int nmax = q5 ? 31 : 15;
        int[] L = new int[256];
        float[] w = new float[32], scales = new float[8], mins = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int s0 = xo + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[s0 + l] * x[s0 + l];
            float avX = (float) Math.sqrt(sumX2 / 32); // sqrt via double, rounded once: = sqrtf
            for (int l = 0; l < 32; l++) w[l] = avX + Math.abs(x[s0 + l]);
            float[] sm = q5 ? fitScaleMin(x, s0, w, L, 32 * j, 31, -0.5f, 0.1f, 15)
                    : fitScaleMin(x, s0, w, L, 32 * j, 15, -1f, 0.1f, 20);
            scales[j] = sm[0];
            mins[j] = sm[1];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        byte[] sc = new byte[12];
        for (int j = 0; j < 8; j++) {
            // ggml keeps nearest_int in a uint8_t, then caps it at 63
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xff);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xff);
            if (j < 4) {
                sc[j] = (byte) ls;
                sc[j + 4] = (byte) lm;
            } else {
                sc[j + 4] = (byte) ((ls & 0xf) | ((lm & 0xf) << 4));
                sc[j - 4] |= (byte) ((ls >> 4) << 6);
                sc[j] |= (byte) ((lm >> 4) << 6);
            }
        }
        y.set(LE16, o, Float.floatToFloat16(maxScale / 63f));
        y.set(LE16, o + 2, Float.floatToFloat16(maxMin / 63f));
        MemorySegment.copy(sc, 0, y, B, o + 4, 12);
        float dAll = f16(y, o), dminAll = f16(y, o + 2);
        for (int j = 0; j < 8; j++) {
            float d = dAll * scaleMin(y, o + 4, j, false);
            if (d == 0f) continue;
            float dm = dminAll * scaleMin(y, o + 4, j, true);
            for (int i = 0; i < 32; i++) L[32 * j + i] = Math.max(0, Math.min(nmax, nearestInt((x[xo + 32 * j + i] + dm) / d)));
        }
        long qs = o + (q5 ? 48 : 16);
        byte[] qh = new byte[32];
        for (int j = 0, sb = 0; j < 256; j += 64, sb += 2)
            for (int l = 0; l < 32; l++) {
                int l1 = L[j + l], l2 = L[j + l + 32];
                y.set(B, qs + j / 2 + l, (byte) ((l1 & 0xf) | ((l2 & 0xf) << 4)));
                qh[l] |= (byte) (((l1 >> 4) << sb) | ((l2 >> 4) << (sb + 1)));
            }
        if (q5) MemorySegment.copy(qh, 0, y, B, o + 16, 32);
    }

    static void dequantizeQ5K(MemorySegment s, long o, float[] out, int yo) {
        float d = f16(s, o), dmin = f16(s, o + 2);
        for (int j = 0; j < 8; j++) {
            float d1 = d * scaleMin(s, o + 4, j, false), m1 = dmin * scaleMin(s, o + 4, j, true);
            for (int l = 0; l < 32; l++) {
                int q = ((s.get(B, o + 48 + 32 * (j / 2) + l) & 0xff) >>> (4 * (j & 1))) & 0xf;
                q |= ((s.get(B, o + 16 + l) >>> j) & 1) << 4;
                out[yo + 32 * j + l] = d1 * q - m1;
            }
        }
    }

    static void dequantizeQ4K(MemorySegment s, long o, float[] out, int yo) {
        float d = f16(s, o), dmin = f16(s, o + 2);
        for (int j = 0; j < 8; j++) {
            float d1 = d * scaleMin(s, o + 4, j, false), m1 = dmin * scaleMin(s, o + 4, j, true);
            for (int l = 0; l < 32; l++) {
                int q = ((s.get(B, o + 16 + 32 * (j / 2) + l) & 0xff) >>> (4 * (j & 1))) & 0xf;
                out[yo + 32 * j + l] = d1 * q - m1;
            }
        }
    }

    // ---- Q6_K -----------------------------------------------------------------------------------

    /**
     * Codes in [-nmax, nmax - 1] from the signed extreme, then 18 nearby scales tried; keeps the best
     * x^2-weighted least-squares fit (ggml's make_qx_quants, rmse_type 1). L gets code + nmax.
     */
    private static float fitScaleSigned(float[] x, int xo, int[] L, int lo) {
        final int n = 16, nmax = 32;
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
            L[lo + i] = l + nmax;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
                float w = v * v;
                sumlx += w * v * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++)
                    L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    static void quantizeQ6K(float[] x, int xo, MemorySegment y, long o) {
        int[] L = new int[256];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            scales[ib] = fitScaleSigned(x, xo + 16 * ib, L, 16 * ib);
            float a = Math.abs(scales[ib]);
            if (a > maxAbsScale) {
                maxAbsScale = a;
                maxScale = scales[ib];
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            y.asSlice(o, 210).fill((byte) 0);
            return;
        }
        float iscale = -128f / maxScale;
        y.set(LE16, o + 208, Float.floatToFloat16(1 / iscale));
        for (int ib = 0; ib < 16; ib++) y.set(B, o + 192 + ib, (byte) Math.min(127, nearestInt(iscale * scales[ib])));
        float dAll = f16(y, o + 208);
        for (int j = 0; j < 16; j++) {
            float d = dAll * y.get(B, o + 192 + j);
            if (d == 0f) continue;
            for (int i = 0; i < 16; i++) L[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(x[xo + 16 * j + i] / d))) + 32;
        }
        for (int j = 0; j < 256; j += 128) {
            long ql = o + j / 2, qh = o + 128 + j / 4;
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                y.set(B, ql + l, (byte) ((q1 & 0xf) | ((q3 & 0xf) << 4)));
                y.set(B, ql + l + 32, (byte) ((q2 & 0xf) | ((q4 & 0xf) << 4)));
                y.set(B, qh + l, (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6)));
            }
        }
    }

    static void dequantizeQ6K(MemorySegment s, long o, float[] out, int yo) {
        float d = f16(s, o + 208);
        for (int e = 0; e < 256; e++) {
            int h = e / 128, n = (e % 128) / 32, p = e % 32;
            int lo = ((s.get(B, o + 64 * h + 32 * (n & 1) + p) & 0xff) >>> (4 * (n >> 1))) & 0xf;
            int hi = ((s.get(B, o + 128 + 32 * h + p) & 0xff) >>> (2 * n)) & 3;
            out[yo + e] = d * s.get(B, o + 192 + e / 16) * ((lo | (hi << 4)) - 32);
        }
    }
}
