package dev.panllama.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-Java reference quantization and dequantization, following ggml's reference code
 * ({@code quantize_row_*_ref}, {@code dequantize_row_*}) bit for bit: the same float operations in
 * the same order, C {@code roundf} (half away from zero), truncating float-to-int casts and
 * round-to-nearest-even FP16. It writes synthetic models and is an independent check of the
 * native kernels. Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K (the
 * K-quants follow {@code quantize_row_q4_K_ref} / {@code q5_K_ref} / {@code q6_K_ref}: per-sub-block
 * least-squares scale searches, round to nearest even).
 */
public final class Quantizer {
    private Quantizer() {}

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LEF32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** Quantizes {@code src} (length a multiple of the block size) into a new byte array. */
    public static byte[] quantize(GgmlType type, float[] src) {
        byte[] out = new byte[Math.toIntExact(type.rowBytes(src.length))];
        quantize(type, src, 0, src.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** Quantizes {@code n} values of {@code src} from {@code srcOff} into {@code dst} at byte {@code dstOff}. */
    public static void quantize(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkSupported(type);
        long bytes = type.rowBytes(n); // checks the block multiple
        if (dstOff < 0 || bytes > dst.byteSize() - dstOff) {
            throw new IndexOutOfBoundsException("destination too small: " + bytes + " bytes at " + dstOff);
        }
        int bs = type.blockElems();
        for (int b = 0; b < n / bs; b++) {
            int x = srcOff + b * bs;
            long o = dstOff + (long) b * type.blockBytes();
            switch (type) {
                case F32 -> dst.set(LEF32, o, src[x]);
                case F16 -> dst.set(LE16, o, Float.floatToFloat16(src[x]));
                case BF16 -> dst.set(LE16, o, toBf16(src[x]));
                case Q8_0 -> q8_0(src, x, dst, o);
                case Q4_0 -> q4_0(src, x, dst, o);
                case Q4_1 -> q4_1(src, x, dst, o);
                case Q5_0 -> q5_0(src, x, dst, o);
                case Q5_1 -> q5_1(src, x, dst, o);
                case Q4_K -> KQuants.quantizeQ4K(src, x, dst, o);
                case Q5_K -> KQuants.quantizeQ5K(src, x, dst, o);
                case Q6_K -> KQuants.quantizeQ6K(src, x, dst, o);
                default -> throw new AssertionError(type);
            }
        }
    }

    /** Dequantizes {@code n} values stored at byte {@code off} of {@code src}. */
    public static float[] dequantize(GgmlType type, MemorySegment src, long off, int n) {
        checkSupported(type);
        long bytes = type.rowBytes(n);
        if (off < 0 || bytes > src.byteSize() - off) {
            throw new IndexOutOfBoundsException("source too small: " + bytes + " bytes at " + off);
        }
        float[] out = new float[n];
        int bs = type.blockElems();
        for (int b = 0; b < n / bs; b++) {
            long o = off + (long) b * type.blockBytes();
            int y = b * bs;
            switch (type) {
                case F32 -> out[y] = src.get(LEF32, o);
                case F16 -> out[y] = Float.float16ToFloat(src.get(LE16, o));
                case BF16 -> out[y] = Float.intBitsToFloat((src.get(LE16, o) & 0xFFFF) << 16);
                case Q8_0 -> {
                    float d = f16(src, o);
                    for (int j = 0; j < 32; j++) out[y + j] = src.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
                }
                case Q4_0 -> {
                    float d = f16(src, o);
                    for (int j = 0; j < 16; j++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
                        out[y + j] = ((q & 0x0F) - 8) * d;
                        out[y + j + 16] = ((q >>> 4) - 8) * d;
                    }
                }
                case Q4_1 -> {
                    float d = f16(src, o), m = f16(src, o + 2);
                    for (int j = 0; j < 16; j++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, o + 4 + j) & 0xFF;
                        out[y + j] = (q & 0x0F) * d + m;
                        out[y + j + 16] = (q >>> 4) * d + m;
                    }
                }
                case Q5_0, Q5_1 -> {
                    boolean q51 = type == GgmlType.Q5_1;
                    float d = f16(src, o), m = q51 ? f16(src, o + 2) : 0f;
                    long qs = o + (q51 ? 8 : 6);
                    int qh = src.get(LE32, qs - 4);
                    for (int j = 0; j < 16; j++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, qs + j) & 0xFF;
                        int c0 = (q & 0x0F) | (((qh >>> j) & 1) << 4), c1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                        out[y + j] = q51 ? c0 * d + m : (c0 - 16) * d;
                        out[y + j + 16] = q51 ? c1 * d + m : (c1 - 16) * d;
                    }
                }
                case Q4_K -> KQuants.dequantizeQ4K(src, o, out, y);
                case Q5_K -> KQuants.dequantizeQ5K(src, o, out, y);
                case Q6_K -> KQuants.dequantizeQ6K(src, o, out, y);
                default -> throw new AssertionError(type);
            }
        }
        return out;
    }

    public static float[] dequantize(GgmlType type, byte[] src) {
        int n = Math.toIntExact(src.length / type.blockBytes() * (long) type.blockElems());
        return dequantize(type, MemorySegment.ofArray(src), 0, n);
    }

    // ---- the reference block quantizers ----------------------------------------------------------

    private static void q8_0(float[] x, int i, MemorySegment y, long o) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[i + j]));
        float d = amax / 127f;
        float id = d != 0f ? 1.0f / d : 0f;
        y.set(LE16, o, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) y.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) roundf(x[i + j] * id));
    }

    private static void q4_0(float[] x, int i, MemorySegment y, long o) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[i + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1.0f / d : 0f;
        y.set(LE16, o, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int x0 = Math.min(15, (byte) (int) (x[i + j] * id + 8.5f));
            int x1 = Math.min(15, (byte) (int) (x[i + 16 + j] * id + 8.5f));
            y.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (x0 | (x1 << 4)));
        }
    }

    private static void q4_1(float[] x, int i, MemorySegment y, long o) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[i + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / 15f;
        float id = d != 0f ? 1.0f / d : 0f;
        y.set(LE16, o, Float.floatToFloat16(d));
        y.set(LE16, o + 2, Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int x0 = Math.min(15, (byte) (int) ((x[i + j] - min) * id + 0.5f));
            int x1 = Math.min(15, (byte) (int) ((x[i + 16 + j] - min) * id + 0.5f));
            y.set(ValueLayout.JAVA_BYTE, o + 4 + j, (byte) (x0 | (x1 << 4)));
        }
    }

    /** Q5_0: Q4_0 with 32 levels (d = signed extreme / -16); the codes' 5th bits go to the 32-bit qh. */
    private static void q5_0(float[] x, int i, MemorySegment y, long o) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[i + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -16f;
        float id = d != 0f ? 1.0f / d : 0f;
        y.set(LE16, o, Float.floatToFloat16(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int x0 = Math.min(31, (byte) (int) (x[i + j] * id + 16.5f));
            int x1 = Math.min(31, (byte) (int) (x[i + 16 + j] * id + 16.5f));
            y.set(ValueLayout.JAVA_BYTE, o + 6 + j, (byte) ((x0 & 0xF) | ((x1 & 0xF) << 4)));
            qh |= ((x0 >> 4) & 1) << j;
            qh |= ((x1 >> 4) & 1) << (j + 16);
        }
        y.set(LE32, o + 2, qh);
    }

    /** Q5_1: Q4_1 with 32 levels; ggml casts the codes to uint8_t without clamping. */
    private static void q5_1(float[] x, int i, MemorySegment y, long o) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[i + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / 31f;
        float id = d != 0f ? 1.0f / d : 0f;
        y.set(LE16, o, Float.floatToFloat16(d));
        y.set(LE16, o + 2, Float.floatToFloat16(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int x0 = ((int) ((x[i + j] - min) * id + 0.5f)) & 0xFF;
            int x1 = ((int) ((x[i + 16 + j] - min) * id + 0.5f)) & 0xFF;
            y.set(ValueLayout.JAVA_BYTE, o + 8 + j, (byte) ((x0 & 0xF) | ((x1 & 0xF) << 4)));
            qh |= ((x0 >> 4) & 1) << j;
            qh |= ((x1 >> 4) & 1) << (j + 16);
        }
        y.set(LE32, o + 4, qh);
    }

    /** C roundf: half away from zero (Math.round rounds half up; Math.rint half to even). */
    static float roundf(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /** ggml's FP32 to BF16: round to nearest even, NaN kept quiet. */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64); // NaN: force quiet
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    private static float f16(MemorySegment s, long o) {
        return Float.float16ToFloat(s.get(LE16, o));
    }

    private static void checkSupported(GgmlType type) {
        if (!supports(type)) throw new UnsupportedOperationException("no reference quantizer for " + type);
    }
}
