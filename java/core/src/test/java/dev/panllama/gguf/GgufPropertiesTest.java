package dev.panllama.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Property-based tests: corrupt bytes never escape as anything but GgufFormatException; writes round-trip. */
class GgufPropertiesTest {
    private static final byte[] GOLDEN = read();
    private static final String NAME = "prop.gguf";

    private static byte[] read() {
        try {
            return Files.readAllBytes(Goldens.path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses: either a valid result whose every tensor lies inside the file, or a clear GgufFormatException. */
    private static GgufParser.Result parseOrReject(byte[] bytes) {
        try {
            GgufParser.Result r = HostileFiles.parse(bytes, NAME);
            long dataSize = bytes.length - r.dataOffset();
            for (TensorInfo t : r.tensors()) {
                if (t.offset() < 0 || t.byteSize() <= 0 || t.offset() + t.byteSize() > dataSize) {
                    throw new AssertionError("accepted a tensor outside the file: " + t);
                }
            }
            return r;
        } catch (GgufFormatException e) {
            if (!e.getMessage().startsWith(NAME + ": ")) throw new AssertionError("unclear message: " + e.getMessage());
            return null;
        }
    }

    @Property(tries = 400)
    void corruptedBytesAreRejectedOrHarmless(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 2047) Integer> positions,
            @ForAll @Size(min = 8, max = 8) List<Byte> values) {
        byte[] b = GOLDEN.clone();
        // corrupt the header region (tensor infos end before 2048 bytes in the golden file)
        for (int i = 0; i < positions.size(); i++) b[positions.get(i)] = values.get(i);
        parseOrReject(b);
    }

    @Property(tries = 400)
    void corruptedLengthFieldsAreRejectedOrHarmless(@ForAll @IntRange(min = 0, max = 2040) int at, @ForAll long value) {
        byte[] b = HostileFiles.patchU64(GOLDEN, at, value);
        parseOrReject(b);
    }

    @Property(tries = 300)
    void garbageAfterAValidHeaderIsRejectedOrHarmless(@ForAll @Size(max = 400) byte[] tail) {
        byte[] b = new byte[8 + tail.length];
        System.arraycopy(GOLDEN, 0, b, 0, 8); // magic + version 3
        System.arraycopy(tail, 0, b, 8, tail.length);
        parseOrReject(b);
    }

    @Property(tries = 300)
    void everyTruncationIsRejected(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int anyCut) {
        // the last tensor of the golden file ends exactly at its end
        int cut = anyCut % GOLDEN.length;
        if (parseOrReject(Arrays.copyOf(GOLDEN, cut)) != null) throw new AssertionError("cut " + cut + " accepted");
    }

    /** Every typed getter on any value either answers or throws a GgufFormatException naming the key. */
    @Property(tries = 300)
    void typedGettersAnswerOrExplain(@ForAll("anyValue") MetadataValue v) {
        Metadata md = new Metadata(NAME, Map.of("k", v));
        List<java.util.function.Supplier<Object>> getters = List.of(
                () -> md.getString("k"), () -> md.getLong("k"), () -> md.getUnsignedLong("k"), () -> md.getInt("k"), () -> md.getFloat("k"),
                () -> md.getDouble("k"), () -> md.getBool("k"), () -> md.getStringArray("k"), () -> md.getIntArray("k"),
                () -> md.getLongArray("k"), () -> md.getFloatArray("k"), () -> md.arrayLength("k"),
                () -> md.elementType("k"));
        int answered = 0;
        for (var g : getters) {
            try {
                g.get();
                answered++;
            } catch (GgufFormatException e) {
                if (!e.getMessage().startsWith(NAME + ": metadata key 'k'")) throw new AssertionError(e.getMessage());
            }
        }
        if (answered == 0) throw new AssertionError("no getter reads " + v);
    }

    @Provide
    Arbitrary<MetadataValue> anyValue() {
        return values(true);
    }

    // ---- round trip ------------------------------------------------------------------------------

    @Property(tries = 100)
    void metadataRoundTrips(@ForAll("metadata") Map<String, MetadataValue> md, @ForAll("alignments") int alignment) {
        GgufWriter w = new GgufWriter(alignment);
        md.forEach(w::put);
        GgufParser.Result r = HostileFiles.parse(bytes(w), NAME);
        Map<String, MetadataValue> read = new java.util.LinkedHashMap<>(r.metadata().asMap());
        read.remove("general.alignment");
        if (!read.equals(md)) throw new AssertionError("wrote " + md + " read " + read);
        if (r.alignment() != alignment) throw new AssertionError("alignment " + r.alignment());
    }

    @Property(tries = 50)
    void tensorsRoundTrip(@ForAll("tensorSpecs") List<TensorSpec> specs, @ForAll("alignments") int alignment) {
        GgufWriter w = new GgufWriter(alignment);
        int i = 0;
        for (TensorSpec s : specs) {
            byte[] data = new byte[(int) TensorInfo.byteSizeOf(s.type, s.shape)];
            for (int j = 0; j < data.length; j++) data[j] = (byte) (j * 31 + s.seed);
            w.addTensor("t" + i++, s.type, s.shape, data);
        }
        byte[] file = bytes(w);
        GgufParser.Result r = HostileFiles.parse(file, NAME);
        if (!r.tensors().equals(w.layout())) throw new AssertionError(r.tensors() + " vs " + w.layout());
        if (r.dataOffset() % alignment != 0) throw new AssertionError("unaligned data " + r.dataOffset());
        MemorySegment seg = MemorySegment.ofArray(file);
        i = 0;
        for (TensorInfo t : r.tensors()) {
            TensorSpec s = specs.get(i++);
            if (t.offset() % alignment != 0) throw new AssertionError("unaligned " + t);
            byte[] got = seg.asSlice(r.dataOffset() + t.offset(), t.byteSize()).toArray(ValueLayout.JAVA_BYTE);
            for (int j = 0; j < got.length; j++) {
                if (got[j] != (byte) (j * 31 + s.seed)) throw new AssertionError(t + " byte " + j);
            }
        }
    }

    record TensorSpec(GgmlType type, long[] shape, int seed) {}

    @Provide
    Arbitrary<List<TensorSpec>> tensorSpecs() {
        Arbitrary<GgmlType> types = Arbitraries.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_1, GgmlType.Q6_K, GgmlType.BF16);
        Arbitrary<TensorSpec> spec = Combinators.combine(types, Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 3), Arbitraries.integers())
                .as((t, blocks, ne1, ne2, seed) -> new TensorSpec(t, new long[] {(long) blocks * t.blockElems(), ne1, ne2},
                        seed));
        return spec.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Integer> alignments() {
        return Arbitraries.of(1, 8, 32, 64, 4096);
    }

    @Provide
    Arbitrary<Map<String, MetadataValue>> metadata() {
        Arbitrary<String> keys = Arbitraries.strings().alpha().numeric().withChars('.', '_').ofMinLength(1).ofMaxLength(24)
                .filter(k -> !k.equals("general.alignment"));
        return Arbitraries.maps(keys, values(true)).ofMaxSize(8);
    }

    private static Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(16);
    }

    private static Arbitrary<MetadataValue> values(boolean nest) {
        Arbitrary<MetadataValue> scalars = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(MetadataValue::uint8),
                Arbitraries.integers().between(-128, 127).map(MetadataValue::int8),
                Arbitraries.integers().between(0, 65535).map(MetadataValue::uint16),
                Arbitraries.integers().between(-32768, 32767).map(MetadataValue::int16),
                Arbitraries.longs().between(0, 0xFFFFFFFFL).map(MetadataValue::uint32),
                Arbitraries.integers().map(MetadataValue::int32),
                Arbitraries.longs().map(MetadataValue::uint64),
                Arbitraries.longs().map(MetadataValue::int64),
                Arbitraries.floats().map(MetadataValue::float32),
                Arbitraries.doubles().map(MetadataValue::float64),
                Arbitraries.of(true, false).map(MetadataValue::bool),
                text().map(MetadataValue::string));
        Arbitrary<MetadataValue> arrays = Arbitraries.oneOf(
                text().list().ofMaxSize(10).map(MetadataValue::stringArray),
                Arbitraries.integers().array(int[].class).ofMaxSize(10).map(MetadataValue::int32Array),
                Arbitraries.integers().array(int[].class).ofMaxSize(10).map(MetadataValue::uint32Array),
                Arbitraries.floats().array(float[].class).ofMaxSize(10).map(MetadataValue::float32Array),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(10).map(a -> MetadataValue.array(ValueType.UINT8, a)),
                Arbitraries.shorts().array(short[].class).ofMaxSize(10).map(a -> MetadataValue.array(ValueType.INT16, a)),
                Arbitraries.longs().array(long[].class).ofMaxSize(10).map(a -> MetadataValue.array(ValueType.UINT64, a)),
                Arbitraries.doubles().array(double[].class).ofMaxSize(10).map(a -> MetadataValue.array(ValueType.FLOAT64, a)),
                Arbitraries.of(true, false).list().ofMaxSize(10).map(l -> {
                    boolean[] a = new boolean[l.size()];
                    for (int i = 0; i < a.length; i++) a[i] = l.get(i);
                    return MetadataValue.array(ValueType.BOOL, a);
                }));
        if (!nest) return Arbitraries.oneOf(scalars, arrays);
        Arbitrary<MetadataValue> nested = arrays.list().ofMaxSize(3)
                .map(l -> MetadataValue.array(ValueType.ARRAY, l.toArray(MetadataValue[]::new)));
        return Arbitraries.oneOf(scalars, arrays, nested);
    }

    private static byte[] bytes(GgufWriter w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            w.write(Channels.newChannel(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
