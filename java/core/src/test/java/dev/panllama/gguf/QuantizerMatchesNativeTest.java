package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panllama.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native quantize/dequantize kernels (pl_quantize, pl_dequantize) against the independent Java
 * reference, bit for bit, on every ISA path this CPU has. Fails (never skips) when the native
 * library does not load.
 */
class QuantizerMatchesNativeTest {
    private final int isaBefore = Kernels.isaActive();

    @AfterEach
    void restoreIsa() {
        Kernels.forceIsa(isaBefore);
    }

    private static List<Integer> isas() {
        List<Integer> out = new ArrayList<>();
        for (int isa = Kernels.ISA_SCALAR; isa <= Kernels.isaBest(); isa++) {
            if (isa != Kernels.ISA_NEON || Kernels.isaBest() == Kernels.ISA_NEON) out.add(isa);
        }
        return out;
    }

    private static float[] inputs() {
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            float[] golden = f.data("input").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            float[] x = new float[golden.length + 32 * 256];
            System.arraycopy(golden, 0, x, 0, golden.length);
            SplittableRandom r = new SplittableRandom(7);
            for (int i = golden.length; i < x.length; i++) {
                // mixed magnitudes, exact halves and ties
                x[i] = switch (i % 4) {
                    case 0 -> (float) r.nextGaussian();
                    case 1 -> (float) (r.nextGaussian() * 1e-4);
                    case 2 -> (r.nextInt(64) - 32) * 0.5f;
                    default -> (float) (r.nextDouble() * 200 - 100);
                };
            }
            return x;
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void nativeQuantizeAndDequantizeAreBitExact(GgmlType type) {
        float[] all = inputs();
        float[] x = java.util.Arrays.copyOf(all, all.length / type.blockElems() * type.blockElems()); // whole blocks
        byte[] expected = Quantizer.quantize(type, x);
        float[] expectedBack = Quantizer.dequantize(type, expected);
        for (int isa : isas()) {
            Kernels.forceIsa(isa);
            String where = type + " on " + Kernels.isaName(isa);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
                MemorySegment q = arena.allocate(expected.length);
                Kernels.quantize(type.id(), src, x.length, q);
                byte[] actual = q.toArray(ValueLayout.JAVA_BYTE);
                for (int b = 0; b < expected.length; b += type.blockBytes()) {
                    int block = b / type.blockBytes();
                    assertArrayEquals(java.util.Arrays.copyOfRange(expected, b, b + type.blockBytes()),
                            java.util.Arrays.copyOfRange(actual, b, b + type.blockBytes()), where + " block " + block);
                }
                MemorySegment back = arena.allocate(ValueLayout.JAVA_FLOAT, x.length);
                Kernels.dequantize(type.id(), arena.allocateFrom(ValueLayout.JAVA_BYTE, expected), back, x.length);
                float[] got = back.toArray(ValueLayout.JAVA_FLOAT);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(Float.floatToIntBits(expectedBack[i]), Float.floatToIntBits(got[i]), where + " element " + i);
                }
            }
        }
    }
}
