package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.kernels.Kernels;
import dev.panllama.synthetic.SyntheticLlama;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weights repacked at load (Q4_0/Q4_1/Q5_0/Q5_1/Q4_K/Q5_K/Q6_K interleaved 8 rows per block on AVX2/AVX-512): which matrices
 * are copied, that the forward pass over them agrees with the file's layout, and their lifetime.
 */
class RepackedWeightsTest {
    @TempDir
    Path dir;

    private final int isaBefore = Kernels.isaActive();

    @AfterEach
    void restoreIsa() {
        Kernels.forceIsa(isaBefore);
    }

    static final int[] TOKENS = {1, 40, 77, 260, 5, 299, 123, 64, 88, 17};

    private Path model(String type, int kvHeads) {
        // vocab 300 rows: the output head's last 8-row panel is half empty; K-quants: rows of 256
        boolean k = type.endsWith("_K");
        int dim = k ? 256 : 128;
        LlamaConfig c = new LlamaConfig("llama", dim, 2, 4, kvHeads, dim / 4, k ? 512 : 288, 256, 10000f, dim / 4,
                LlamaConfig.RopeScaling.NONE, 1e-5f, 300, false, false);
        Path file = dir.resolve(type + "-" + kvHeads + ".gguf");
        SyntheticLlama.of(c, type, 3, null).write(file);
        return file;
    }

    private static float[][] decoded(LlamaModel m) {
        float[][] out = new float[TOKENS.length][];
        try (InferenceState s = m.newState(new StateOptions(32, StateOptions.KV_F16, 2, 4))) {
            for (int i = 0; i < TOKENS.length; i++) {
                s.eval(TOKENS, i, 1);
                out[i] = s.logits().clone();
            }
        }
        return out;
    }

    private static float[][] prefilled(LlamaModel m) {
        float[][] out = new float[TOKENS.length][];
        try (InferenceState s = m.newState(new StateOptions(32, StateOptions.KV_F16, 2, TOKENS.length))) {
            s.evalAll(TOKENS, 0, TOKENS.length, (i, l) -> out[i] = l.clone());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void repackedModelAgreesWithTheFileLayout(String type) {
        Path file = model(type, 1);
        try (GgufFile f = GgufFile.open(file); LlamaModel packed = LlamaModel.load(f, true);
             LlamaModel plain = LlamaModel.load(f, false)) {
            int t = packed.weights().layers()[0].wq().type();
            int want = Kernels.repackType(t);
            boolean simd = Kernels.isaActive() == Kernels.ISA_AVX2 || Kernels.isaActive() == Kernels.ISA_AVX512;
            int x8 = switch (t) {
                case Kernels.Q4_0 -> Kernels.Q4_0_X8;
                case Kernels.Q4_1 -> Kernels.Q4_1_X8;
                case Kernels.Q5_0 -> Kernels.Q5_0_X8;
                case Kernels.Q5_1 -> Kernels.Q5_1_X8;
                case Kernels.Q4_K -> Kernels.Q4_K_X8;
                case Kernels.Q5_K -> Kernels.Q5_K_X8;
                default -> Kernels.Q6_K_X8;
            };
            assertEquals(simd ? x8 : t, want);
            for (LlamaWeights.Layer l : packed.kernelWeights().layers())
                for (WeightMatrix w : l.matrices()) assertEquals(want, w.type(), w.name());
            // the embedding is looked up by rows: never repacked
            assertSame(packed.weights().tokenEmbedding(), packed.kernelWeights().tokenEmbedding());
            assertSame(plain.weights(), plain.kernelWeights(), "repack off: the file's views");
            assumeTrue(simd, "no repacked layout on the " + Kernels.isaName(Kernels.isaActive()) + " path");
            assertNotSame(packed.weights(), packed.kernelWeights());
            long copied = 0;
            for (LlamaWeights.Layer l : packed.weights().layers())
                for (WeightMatrix w : l.matrices()) copied += Kernels.matrixBytes(want, w.rows(), w.cols());
            WeightMatrix head = packed.weights().output();
            if (head != packed.weights().tokenEmbedding() && head.type() == t)
                copied += Kernels.matrixBytes(want, head.rows(), head.cols());
            assertEquals(copied, packed.repackedBytes());
            assertEquals(0, plain.repackedBytes());
            // The repacked layout is multiplied with the arithmetic the SIMD prefill GEMM already uses: a
            // prefill gives the same bits either way, and with repacked weights decode gives the prefill's bits.
            float[][] plainPrefill = prefilled(plain), packedPrefill = prefilled(packed), packedDecode = decoded(packed);
            for (int i = 0; i < TOKENS.length; i++) {
                assertArrayEquals(plainPrefill[i], packedPrefill[i], "prefill, token " + i);
                assertArrayEquals(packedPrefill[i], packedDecode[i], "decode vs prefill, token " + i);
            }
        }
    }

    @Test
    void scalarPathKeepsTheFileLayout() {
        Kernels.forceIsa(Kernels.ISA_SCALAR);
        try (GgufFile f = GgufFile.open(model("Q4_0", 2)); LlamaModel m = LlamaModel.load(f, true)) {
            assertSame(m.weights(), m.kernelWeights());
        }
    }

    @Test
    void copiesDieWithTheModel() {
        Path file = model("Q4_0", 2);
        MemorySegment copy;
        try (GgufFile f = GgufFile.open(file); LlamaModel m = LlamaModel.load(f, true)) {
            assumeTrue(m.kernelWeights() != m.weights(), "nothing repacked on this path");
            copy = m.kernelWeights().layers()[1].ffnDown().data();
            assertTrue(copy.get(ValueLayout.JAVA_BYTE, 0) != 0 || copy.get(ValueLayout.JAVA_BYTE, 1) != 0, "scales copied");
        }
        assertThrows(IllegalStateException.class, () -> copy.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void tiedHeadStaysWithTheEmbedding() {
        Path smol = Path.of(System.getProperty("user.home"), ".cache", "panllama", "models", "SmolLM2-135M-Instruct.Q4_1.gguf");
        assumeTrue(smol.toFile().isFile(), "SmolLM2 not fetched");
        try (LlamaModel m = LlamaModel.load(smol)) {
            assertSame(m.kernelWeights().tokenEmbedding(), m.kernelWeights().output());
        }
    }

    @Test
    void repackRejectsBadArguments() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(18 * 2 * 9), dst = a.allocate(Kernels.matrixBytes(Kernels.Q4_0_X8, 9, 64));
            assertEquals(18 * 2 * 16, dst.byteSize());
            PanllamaException e = assertThrows(PanllamaException.class,
                    () -> Kernels.repack(Kernels.Q4_0, src, 9, 64, Kernels.Q4_0_X8, dst.asSlice(0, dst.byteSize() - 1)));
            assertTrue(e.getMessage().contains("dst is " + (dst.byteSize() - 1) + " bytes"), e.getMessage());
            e = assertThrows(PanllamaException.class, () -> Kernels.repack(Kernels.Q4_0, src, 9, 64, Kernels.Q4_1_X8, dst));
            assertTrue(e.getMessage().startsWith("pl_repack(type=q4_0, rows=9, k=64, to=q4_1_x8)"), e.getMessage());
            assertThrows(PanllamaException.class, () -> Kernels.repack(Kernels.Q4_0, src, 9, 48, Kernels.Q4_0_X8, dst));
            Kernels.repack(Kernels.Q4_0, src, 9, 64, Kernels.Q4_0_X8, dst);
        }
    }
}
