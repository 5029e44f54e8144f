package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir Path tmp;

    @Test
    void readsEveryValueTypeWrittenByGgufPy() {
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            Metadata md = f.metadata();
            assertEquals(ValueType.UINT8, md.type("t.u8"));
            assertEquals(250, md.getInt("t.u8"));
            assertEquals(-100, md.getInt("t.i8"));
            assertEquals(65000, md.getInt("t.u16"));
            assertEquals(-32000, md.getInt("t.i16"));
            assertEquals(4000000000L, md.getLong("t.u32"));
            assertEquals(-2000000000, md.getInt("t.i32"));
            assertEquals(3.25f, md.getFloat("t.f32"));
            assertEquals("18000000000000000000", Long.toUnsignedString((Long) md.value("t.u64").value()));
            assertThrows(GgufFormatException.class, () -> md.getLong("t.u64"));
            assertEquals(-9000000000000000000L, md.getLong("t.i64"));
            assertEquals(-1.0e300, md.getDouble("t.f64"));
            assertTrue(md.getBool("t.bool"));
            assertEquals("héllo ✓ \uD83D\uDE00", md.getString("t.str"));
            assertEquals(List.of("a", "", "ü", "\n"), md.getStringArray("t.arr.str"));
            assertArrayEquals(new int[] {1, -2, 3}, md.getIntArray("t.arr.i32"));
            assertArrayEquals(new float[] {0.5f, -1.5f}, md.getFloatArray("t.arr.f32"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) md.value("t.arr.bool").value());
            MetadataValue nested = md.value("t.arr.nested");
            assertEquals(ValueType.ARRAY, nested.elementType());
            MetadataValue[] inner = (MetadataValue[]) nested.value();
            assertArrayEquals(new int[] {1, 2}, (int[]) inner[0].value());
            assertArrayEquals(new int[] {3}, (int[]) inner[1].value());
            TensorInfo m = f.requireTensor("matrix");
            assertArrayEquals(new long[] {64, 4}, m.shape());
            assertEquals(130f, f.data(m).getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 130));
        }
    }

    /** gguf-py is llama.cpp's reference writer: writing the same content must give the same bytes. */
    @Test
    void rewritingTheGgufPyFileIsByteIdentical() throws IOException {
        Path out = tmp.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(Goldens.path())) {
            GgufWriter w = new GgufWriter();
            w.putAll(f.metadata(), "");
            for (TensorInfo t : f.tensors()) w.copyTensor(f, t);
            assertEquals(f.tensors(), w.layout());
            w.write(out);
        }
        assertArrayEquals(Files.readAllBytes(Goldens.path()), Files.readAllBytes(out));
    }

    @Test
    void roundTripsWithAlignmentAndAllTypes() {
        Path out = tmp.resolve("rt.gguf");
        GgufWriter w = new GgufWriter(64);
        w.put("a.u8", MetadataValue.uint8(255)).put("a.i8", MetadataValue.int8(-128))
                .put("a.u64", MetadataValue.uint64(-1L)).put("a.f64", MetadataValue.float64(Math.PI))
                .put("a.i16arr", MetadataValue.array(ValueType.INT16, new short[] {-1, 2}))
                .put("a.u8arr", MetadataValue.array(ValueType.UINT8, new byte[] {(byte) 200}))
                .put("a.empty", MetadataValue.array(ValueType.STRING, new String[0]))
                .putStringArray("a.strs", List.of("x", "yy"));
        float[] v = new float[96];
        for (int i = 0; i < v.length; i++) v[i] = i - 40.5f;
        w.addTensor("f32", new long[] {3, 32}, v);
        w.addTensor("q8", GgmlType.Q8_0, new long[] {96}, Quantizer.quantize(GgmlType.Q8_0, v));
        w.write(out);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.metadata().getInt("general.alignment"));
            assertEquals(255, f.metadata().getInt("a.u8"));
            assertEquals(-128, f.metadata().getInt("a.i8"));
            assertEquals(-1L, (long) (Long) f.metadata().value("a.u64").value());
            assertEquals(Math.PI, f.metadata().getDouble("a.f64"));
            assertArrayEquals(new int[] {-1, 2}, f.metadata().getIntArray("a.i16arr"));
            assertArrayEquals(new int[] {200}, f.metadata().getIntArray("a.u8arr"));
            assertEquals(List.of(), f.metadata().getStringArray("a.empty"));
            assertEquals(List.of("x", "yy"), f.metadata().getStringArray("a.strs"));
            assertArrayEquals(v, f.data("f32").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED));
            assertEquals(384, f.requireTensor("q8").offset()); // 384 bytes of f32, already 64-aligned
            assertArrayEquals(Quantizer.quantize(GgmlType.Q8_0, v), f.data("q8").toArray(ValueLayout.JAVA_BYTE));
            assertEquals(f.dataOffset() + 384 + 128, f.fileSize()); // 102 bytes of q8 padded to 128
        }
    }

    @Test
    void rejectsBadTensorsAndShortData() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q4_0, new long[] {31}, new byte[18]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", GgmlType.F32, new long[] {0}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter(48));
        w.addTensor("short", GgmlType.F32, new long[] {4}, new byte[12]);
        Path out = tmp.resolve("bad.gguf");
        PanllamaException e = assertThrows(PanllamaException.class, () -> w.write(out));
        assertTrue(e.getMessage().contains("short") && e.getMessage().contains("12"), e.getMessage());
        assertTrue(Files.notExists(out));
    }
}
