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
