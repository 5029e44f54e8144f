package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java K-quant and Q5 quantizers against llama.cpp's own: native/tests/data/quant_q4_k.bin and
 * quant_q6_k.bin were written by ggml's quantize_row_q4_K_ref / quantize_row_q6_K_ref from
 * quant_input.f32 (native/tests/data/make_kquant_goldens.py), quant_q5_0/q5_1/q5_k.bin by
 * quantize_row_q5_0_ref / q5_1_ref / q5_K_ref (make_q5_goldens.py); the input holds random, all-zero,
 * constant, tiny and tie-prone blocks.
 */
class KQuantsTest {
    private static Path data(String name) {
        return Path.of(System.getProperty("panllama.root", ".")).resolve("native/tests/data").resolve(name);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K", "Q5_0", "Q5_1"})
    void bitExactWithGgmlReferenceQuantizer(GgmlType type) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(data("quant_input.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[in.remaining() / 4];
        in.asFloatBuffer().get(x);
        byte[] expected = Files.readAllBytes(data("quant_" + type.name().toLowerCase() + ".bin"));
        byte[] actual = Quantizer.quantize(type, x);
        assertEquals(expected.length, actual.length);
        int bb = type.blockBytes();
        for (int b = 0; b < expected.length / bb; b++) {
            byte[] e = java.util.Arrays.copyOfRange(expected, b * bb, (b + 1) * bb);
            byte[] a = java.util.Arrays.copyOfRange(actual, b * bb, (b + 1) * bb);
            assertEquals(HexFormat.of().formatHex(e), HexFormat.of().formatHex(a), type + " super-block " + b);
        }
    }

    // RMS error / sigma of Gaussian data: Q4_K ~0.07, Q5_K / Q5_0 / Q5_1 ~0.035-0.04, Q6_K ~0.018 (llama.cpp's figures are similar);
    // a wrong nibble order or scale packing gives errors of order 1.
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K", "Q5_0", "Q5_1"})
    void roundTripErrorIsThatOfTheFormat(GgmlType type) {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[256 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] y = Quantizer.dequantize(type, Quantizer.quantize(type, x));
        double e = 0;
        for (int i = 0; i < x.length; i++) e += (x[i] - y[i]) * (double) (x[i] - y[i]);
        double rms = Math.sqrt(e / x.length);
        double bound = switch (type) {
            case Q4_K -> 0.09;
            case Q5_K -> 0.045;
            case Q5_0, Q5_1 -> 0.06;
            default -> 0.025;
        };
        assertTrue(rms < bound && rms > bound / 20, type + " rms error " + rms);
    }

    @Test
    void nearestIntRoundsHalfToEven() {
        assertEquals(2, KQuants.nearestInt(2.5f));
        assertEquals(4, KQuants.nearestInt(3.5f));
        assertEquals(-2, KQuants.nearestInt(-2.5f));
        assertEquals(-1, KQuants.nearestInt(-0.7f));
        assertEquals(0, KQuants.nearestInt(0.49999997f));
    }
}
