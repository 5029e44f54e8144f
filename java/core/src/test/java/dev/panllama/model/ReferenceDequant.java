package dev.panllama.model;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Plain-Java dequantization of the ggml block formats the test models use, written from the format
 * definitions (ggml-common.h block layouts), independent of the native kernels: the reference
 * forward pass reads weights through it.
 */
final class ReferenceDequant {
    private ReferenceDequant() {}

    /** Row {@code row} of a matrix of {@code cols} columns of ggml type {@code type}, as floats. */
    static float[] row(int type, MemorySegment data, long row, int cols) {
        float[] out = new float[cols];
        switch (type) {
            case 0 -> { // F32
                MemorySegment.copy(data, JAVA_FLOAT_UNALIGNED, row * cols * 4L, out, 0, cols);
            }
            case 1 -> { // F16
                long base = row * cols * 2L;
                for (int i = 0; i < cols; i++) out[i] = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, base + 2L * i));
            }
            case 30 -> { // BF16: the high half of an F32
                long base = row * cols * 2L;
                for (int i = 0; i < cols; i++)
                    out[i] = Float.intBitsToFloat((data.get(JAVA_SHORT_UNALIGNED, base + 2L * i) & 0xffff) << 16);
            }
            case 2 -> { // Q4_0: f16 d, 16 bytes of nibbles; low nibbles are elements 0..15, high 16..31; x = (q-8)*d
                long base = row * (cols / 32) * 18L;
                for (int b = 0; b < cols / 32; b++) {
                    long o = base + b * 18L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    for (int j = 0; j < 16; j++) {
                        int v = data.get(JAVA_BYTE, o + 2 + j) & 0xff;
                        out[b * 32 + j] = ((v & 0xf) - 8) * d;
                        out[b * 32 + j + 16] = ((v >> 4) - 8) * d;
                    }
                }
            }
            case 3 -> { // Q4_1: f16 d, f16 m, 16 bytes of nibbles; x = q*d + m
                long base = row * (cols / 32) * 20L;
                for (int b = 0; b < cols / 32; b++) {
                    long o = base + b * 20L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    float m = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o + 2));
                    for (int j = 0; j < 16; j++) {
                        int v = data.get(JAVA_BYTE, o + 4 + j) & 0xff;
                        out[b * 32 + j] = (v & 0xf) * d + m;
                        out[b * 32 + j + 16] = (v >> 4) * d + m;
                    }
                }
            }
            case 8 -> { // Q8_0: f16 d, 32 signed bytes; x = q*d
                long base = row * (cols / 32) * 34L;
                for (int b = 0; b < cols / 32; b++) {
                    long o = base + b * 34L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    for (int j = 0; j < 32; j++) out[b * 32 + j] = data.get(JAVA_BYTE, o + 2 + j) * d;
                }
            }
            case 12 -> { // Q4_K: 144-byte super-blocks of 256: f16 d, f16 dmin, 12 bytes of 6-bit (scale, min) x 8, 128 of nibbles
                long base = row * (cols / 256) * 144L;
                for (int b = 0; b < cols / 256; b++) {
                    long o = base + b * 144L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    float dmin = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o + 2));
                    int[] sc = new int[12];
                    for (int i = 0; i < 12; i++) sc[i] = data.get(JAVA_BYTE, o + 4 + i) & 0xff;
                    for (int j = 0; j < 8; j++) {
                        // sub-blocks 0..3: low 6 bits of bytes j (scale) and j+4 (min); 4..7: nibbles of byte j+4
                        // with the top 2 bits of bytes j-4 (scale) and j (min)
                        int s = j < 4 ? sc[j] & 63 : (sc[j + 4] & 15) | ((sc[j - 4] >> 6) << 4);
                        int m = j < 4 ? sc[j + 4] & 63 : (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4);
                        for (int l = 0; l < 32; l++) {
                            int v = data.get(JAVA_BYTE, o + 16 + 32 * (j / 2) + l) & 0xff; // pairs of sub-blocks share 32 bytes
                            int q = (j % 2 == 0) ? v & 15 : v >> 4;
                            out[b * 256 + 32 * j + l] = d * s * q - dmin * m;
                        }
                    }
                }
            }
            case 14 -> { // Q6_K: 210-byte super-blocks: ql[128] low nibbles, qh[64] 2-bit highs, int8 scales[16], f16 d
                long base = row * (cols / 256) * 210L;
                for (int b = 0; b < cols / 256; b++) {
                    long o = base + b * 210L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o + 208));
                    for (int half = 0; half < 2; half++)
                        for (int l = 0; l < 32; l++) {
                            int ql0 = data.get(JAVA_BYTE, o + 64 * half + l) & 0xff;
                            int ql1 = data.get(JAVA_BYTE, o + 64 * half + 32 + l) & 0xff;
                            int qh = data.get(JAVA_BYTE, o + 128 + 32 * half + l) & 0xff;
                            int[] q = {(ql0 & 15) | ((qh & 3) << 4), (ql1 & 15) | (((qh >> 2) & 3) << 4),
                                       (ql0 >> 4) | (((qh >> 4) & 3) << 4), (ql1 >> 4) | (((qh >> 6) & 3) << 4)};
                            for (int n = 0; n < 4; n++) {
                                int e = 128 * half + 32 * n + l; // element; its scale covers 16 elements
                                out[b * 256 + e] = d * data.get(JAVA_BYTE, o + 192 + e / 16) * (q[n] - 32);
                            }
                        }
                }
            }
            case 6, 7 -> { // Q5_0 (22 bytes: f16 d, u32 qh, 16 of nibbles; x = (q-16)*d), Q5_1 (24: d, m, qh, nibbles; x = q*d + m)
                int bytes = type == 6 ? 22 : 24, qo = bytes - 16;
                long base = row * (cols / 32) * bytes;
                for (int b = 0; b < cols / 32; b++) {
                    long o = base + (long) b * bytes;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    float m = type == 7 ? Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o + 2)) : 0f;
                    long qh = 0; // bit e: the 5th bit of element e
                    for (int i = 0; i < 4; i++) qh |= (long) (data.get(JAVA_BYTE, o + qo - 4 + i) & 0xff) << (8 * i);
                    for (int e = 0; e < 32; e++) {
                        int v = data.get(JAVA_BYTE, o + qo + e % 16) & 0xff;
                        int q = (e < 16 ? v & 15 : v >> 4) + 16 * (int) ((qh >> e) & 1);
                        out[b * 32 + e] = type == 6 ? (q - 16) * d : q * d + m;
                    }
                }
            }
            case 13 -> { // Q5_K: 176-byte super-blocks: Q4_K's d, dmin and scales, qh[32] (bit j of qh[l]: element 32j + l), nibbles
                long base = row * (cols / 256) * 176L;
                for (int b = 0; b < cols / 256; b++) {
                    long o = base + b * 176L;
                    float d = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o));
                    float dmin = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, o + 2));
                    int[] sc = new int[12];
                    for (int i = 0; i < 12; i++) sc[i] = data.get(JAVA_BYTE, o + 4 + i) & 0xff;
                    for (int j = 0; j < 8; j++) {
                        int s = j < 4 ? sc[j] & 63 : (sc[j + 4] & 15) | ((sc[j - 4] >> 6) << 4);
                        int m = j < 4 ? sc[j + 4] & 63 : (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4);
                        for (int l = 0; l < 32; l++) {
                            int v = data.get(JAVA_BYTE, o + 48 + 32 * (j / 2) + l) & 0xff;
                            int hb = ((data.get(JAVA_BYTE, o + 16 + l) & 0xff) >> j) & 1;
                            int q = ((j % 2 == 0) ? v & 15 : v >> 4) + 16 * hb;
                            out[b * 256 + 32 * j + l] = d * s * q - dmin * m;
                        }
                    }
                }
            }
            default -> throw new UnsupportedOperationException("reference dequantization of ggml type " + type);
        }
        return out;
    }

    static float[][] matrix(WeightMatrix m) {
        float[][] rows = new float[(int) m.rows()][];
        for (int r = 0; r < rows.length; r++) rows[r] = row(m.type(), m.data(), r, (int) m.cols());
        return rows;
    }

    static float[] vector(MemorySegment f32, int n) {
        float[] out = new float[n];
        MemorySegment.copy(f32, JAVA_FLOAT_UNALIGNED, 0, out, 0, n);
        return out;
    }
}
