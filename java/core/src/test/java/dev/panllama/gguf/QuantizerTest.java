package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Our Java quantizer against gguf-py's reference quantization (bit-exact with ggml's *_ref code). */
class QuantizerTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "F16", "BF16"})
    void bitExactWithGgufPy(GgmlType type) {
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            float[] x = f.data("input").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            byte[] expected = f.data(type.name().toLowerCase()).toArray(ValueLayout.JAVA_BYTE);
            byte[] actual = Quantizer.quantize(type, x);
            int bb = type.blockBytes();
            for (int b = 0; b < expected.length / bb; b++) {
                byte[] e = java.util.Arrays.copyOfRange(expected, b * bb, (b + 1) * bb);
                byte[] a = java.util.Arrays.copyOfRange(actual, b * bb, (b + 1) * bb);
                int block = b;
                assertArrayEquals(e, a, () -> type + " block " + block + ": expected " + HexFormat.of().formatHex(e)
                        + " got " + HexFormat.of().formatHex(a));
            }
            assertEquals(expected.length, actual.length);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "F16", "BF16"})
    void dequantizeMatchesGgufPy(GgmlType type) {
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            String name = type.name().toLowerCase();
            MemorySegment q = f.data(name);
            float[] expected = f.data("dequant_" + name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            float[] actual = Quantizer.dequantize(type, q, 0, expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                        type + " element " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "F16", "BF16", "F32"})
    void dequantizeIsCloseAndExactOnGrid(GgmlType type) {
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            float[] x = f.data("input").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            float[] first = java.util.Arrays.copyOf(x, 32 * 40); // the normal(0, 1) blocks
            byte[] q = Quantizer.quantize(type, first);
            float[] y = Quantizer.dequantize(type, q);
            double maxErr = 0;
            for (int i = 0; i < first.length; i++) maxErr = Math.max(maxErr, Math.abs(first[i] - y[i]));
            double bound = switch (type) {
                case F32 -> 0;
                case F16 -> 2e-3;
                case BF16 -> 2e-2;
                case Q8_0 -> 0.02;
                default -> 0.35; // 4-bit: half a step of ~|max|/7.5
            };
            assertTrue(maxErr <= bound, type + " max error " + maxErr);
            // quantizing the dequantized values again is a fixed point
            assertArrayEquals(q, Quantizer.quantize(type, y), type + " is not idempotent");
        }
    }

    @Test
    void roundfIsHalfAwayFromZero() {
        assertEquals(1f, Quantizer.roundf(0.5f));
        assertEquals(-1f, Quantizer.roundf(-0.5f));
        assertEquals(0f, Quantizer.roundf(0.49999997f));
        assertEquals(3f, Quantizer.roundf(2.5f));
        assertEquals(-3f, Quantizer.roundf(-2.5f));
    }

    @Test
    void quantizesIntoASegmentAtAnOffset() {
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        MemorySegment dst = MemorySegment.ofArray(new byte[100]);
        Quantizer.quantize(GgmlType.Q8_0, x, 32, 32, dst, 10);
        byte[] direct = Quantizer.quantize(GgmlType.Q8_0, java.util.Arrays.copyOfRange(x, 32, 64));
        assertArrayEquals(direct, dst.asSlice(10, 34).toArray(ValueLayout.JAVA_BYTE));
    }
}
