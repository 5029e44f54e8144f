package dev.panllama.gguf;

import dev.panllama.PanllamaException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata of every type and tensors laid out the way llama.cpp expects
 * (each tensor at the running offset padded to the alignment, the data section padded too).
 * Files are written to a temporary sibling and moved into place, so a reader never sees half a file.
 */
public final class GgufWriter {
    /** llama.cpp rejects tensor names of GGML_MAX_NAME (64) bytes or more. */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    private final int alignment;
    private final Map<String, MetadataValue> metadata = new LinkedHashMap<>();
    private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();

    private record PendingTensor(TensorInfo info, TensorData data) {}

    public GgufWriter() {
        this(GgufParser.DEFAULT_ALIGNMENT);
    }

    /** A writer with a non-default alignment (recorded as {@code general.alignment}). */
    public GgufWriter(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        this.alignment = alignment;
        if (alignment != GgufParser.DEFAULT_ALIGNMENT) metadata.put("general.alignment", MetadataValue.uint32(alignment));
    }

    /** Adds or replaces a metadata value (keys keep their first insertion order). */
    public GgufWriter put(String key, MetadataValue value) {
        if (key.equals("general.alignment") && !value.equals(MetadataValue.uint32(alignment))) {
            throw new IllegalArgumentException("general.alignment is set by the GgufWriter constructor");
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String v) { return put(key, MetadataValue.string(v)); }
    public GgufWriter putUInt32(String key, long v) { return put(key, MetadataValue.uint32(v)); }
    public GgufWriter putInt32(String key, int v) { return put(key, MetadataValue.int32(v)); }
    public GgufWriter putUInt64(String key, long v) { return put(key, MetadataValue.uint64(v)); }
    public GgufWriter putFloat32(String key, float v) { return put(key, MetadataValue.float32(v)); }
    public GgufWriter putBool(String key, boolean v) { return put(key, MetadataValue.bool(v)); }
    public GgufWriter putStringArray(String key, List<String> v) { return put(key, MetadataValue.stringArray(v)); }

    /** Copies every value whose key starts with {@code prefix} (e.g. "tokenizer."), keeping types. */
    public GgufWriter putAll(Metadata md, String prefix) {
        for (Map.Entry<String, MetadataValue> e : md.asMap().entrySet()) {
            if (e.getKey().startsWith(prefix) && !e.getKey().equals("general.alignment")) put(e.getKey(), e.getValue());
        }
        return this;
    }

    /** Adds a tensor; its data is pulled from {@code data} when the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorData data) {
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than " + MAX_TENSOR_NAME_BYTES + " bytes");
        }
        if (shape.length < 1 || shape.length > GgufParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions (1 to 4)");
        }
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        // offsets are assigned at write time; byteSizeOf validates the shape now
        tensors.put(name, new PendingTensor(new TensorInfo(name, type, shape, 0, TensorInfo.byteSizeOf(type, shape)), data));
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, TensorData.of(data));
    }

    /** Adds a float tensor stored as F32. */
    public GgufWriter addTensor(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return addTensor(name, GgmlType.F32, shape, b.array());
    }

    /** Adds a copy of a tensor of an open file (same name, type, shape and bytes). */
    public GgufWriter copyTensor(GgufFile from, TensorInfo t) {
        MemorySegment seg = from.data(t);
        return addTensor(t.name(), t.type(), t.shape(), TensorData.of(seg));
    }

    /** The tensor infos as they will be written (offsets relative to the data section). */
    public List<TensorInfo> layout() {
        List<TensorInfo> out = new ArrayList<>();
        long offset = 0;
        for (PendingTensor p : tensors.values()) {
            TensorInfo t = p.info();
            out.add(new TensorInfo(t.name(), t.type(), t.shape(), offset, t.byteSize()));
            offset = Math.addExact(offset, pad(t.byteSize()));
        }
        return out;
    }

    /** Writes the file (atomically replacing {@code path}). */
    public void write(Path path) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                write(ch);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            if (e instanceof RuntimeException r) throw r;
            throw new PanllamaException(path + ": cannot write GGUF file: " + e.getMessage(), e);
        }
    }

    /** Writes the file to a channel positioned at its start. */
    public void write(WritableByteChannel out) throws IOException {
        List<TensorInfo> layout = layout();
        LeBuffer h = new LeBuffer();
        h.u32(GgufParser.MAGIC);
        h.u32(3);
        h.u64(layout.size());
        h.u64(metadata.size());
        for (Map.Entry<String, MetadataValue> e : metadata.entrySet()) {
            h.string(e.getKey());
            h.u32(e.getValue().type().id());
            value(h, e.getValue());
        }
        for (TensorInfo t : layout) {
            h.string(t.name());
            h.u32(t.dims());
            for (long d : t.shape()) h.u64(d);
            h.u32(t.type().id());
            h.u64(t.offset());
        }
        h.zeros((int) (pad(h.size()) - h.size()));
        TensorData.writeFully(out, h.buffer());

        int i = 0;
        for (PendingTensor p : tensors.values()) {
            TensorInfo t = layout.get(i++);
            CountingChannel counter = new CountingChannel(out);
            p.data().writeTo(counter);
            if (counter.count != t.byteSize()) {
                throw new PanllamaException("tensor '" + t.name() + "': its data source wrote " + counter.count
                        + " bytes, expected " + t.byteSize());
            }
            long padding = pad(t.byteSize()) - t.byteSize();
            TensorData.writeFully(out, ByteBuffer.allocate((int) padding));
        }
    }

    private long pad(long n) {
        return Math.addExact(n, alignment - 1) & -(long) alignment;
    }

    private static void value(LeBuffer h, MetadataValue v) {
        Object o = v.value();
        switch (v.type()) {
            case UINT8, INT8 -> h.u8((int) (long) (Long) o);
            case UINT16, INT16 -> h.u16((int) (long) (Long) o);
            case UINT32, INT32 -> h.u32((int) (long) (Long) o);
            case UINT64, INT64 -> h.u64((Long) o);
            case FLOAT32 -> h.u32(Float.floatToRawIntBits((Float) o));
            case FLOAT64 -> h.u64(Double.doubleToRawLongBits((Double) o));
            case BOOL -> h.u8((Boolean) o ? 1 : 0);
            case STRING -> h.string((String) o);
            case ARRAY -> {
                h.u32(v.elementType().id());
                h.u64(v.length());
                switch (o) {
                    case byte[] a -> { for (byte x : a) h.u8(x); }
                    case short[] a -> { for (short x : a) h.u16(x); }
                    case int[] a -> { for (int x : a) h.u32(x); }
                    case long[] a -> { for (long x : a) h.u64(x); }
                    case float[] a -> { for (float x : a) h.u32(Float.floatToRawIntBits(x)); }
                    case double[] a -> { for (double x : a) h.u64(Double.doubleToRawLongBits(x)); }
                    case boolean[] a -> { for (boolean x : a) h.u8(x ? 1 : 0); }
                    case String[] a -> { for (String x : a) h.string(x); }
                    case MetadataValue[] a -> { for (MetadataValue x : a) value(h, x); }
                    default -> throw new IllegalStateException("unexpected array " + o.getClass());
                }
            }
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class LeBuffer {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
                if (want > Integer.MAX_VALUE - 16) throw new PanllamaException("GGUF metadata larger than 2 GiB");
                ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void u8(int v) { ensure(1); buf.put((byte) v); }
        void u16(int v) { ensure(2); buf.putShort((short) v); }
        void u32(int v) { ensure(4); buf.putInt(v); }
        void u64(long v) { ensure(8); buf.putLong(v); }
        void zeros(int n) { ensure(n); buf.position(buf.position() + n); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            ensure(b.length);
            buf.put(b);
        }

        long size() { return buf.position(); }

        ByteBuffer buffer() {
            return buf.duplicate().flip();
        }
    }

    /** Counts the bytes a tensor's data source writes. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel out;
        long count;

        CountingChannel(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // the writer owns the underlying channel
        }
    }
}
