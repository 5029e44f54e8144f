package dev.panllama.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the GGUF header, metadata and tensor infos of a (mapped) file. Every count
 * and length is checked against the bytes left in the file before anything is allocated, so a
 * hostile file yields a {@link GgufFormatException}, never an OutOfMemoryError, a hang or a
 * native read out of bounds.
 */
final class GgufParser {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4; // GGML_MAX_DIMS
    static final long MAX_STRING_BYTES = 64L << 20; // chat templates are KBs, tokens bytes
    static final long MAX_COUNT = 1L << 24; // array elements (vocabularies: ~10^5)
    static final long MAX_ENTRIES = 1L << 20; // kv pairs and tensors (models: ~10^3)
    // Java heap the metadata may take in total: a hostile file cannot exhaust a small heap
    static final long MAX_HEAP_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
    static final int MAX_ARRAY_DEPTH = 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    record Result(int version, Metadata metadata, List<TensorInfo> tensors, int alignment, long dataOffset) {}

    /** Test hook: told where each field starts, before it is read. */
    interface FieldListener {
        void field(long offset, String name);
    }

    private final MemorySegment seg;
    private final long size;
    private final String file;
    private final FieldListener listener; // null but in tests
    private long pos;
    private long heapLeft = MAX_HEAP_BYTES;
    // Scalars and strings are read from a heap copy of the file's start: plain array reads are
    // several times faster than segment accesses before the JIT warms up (a cold start parses
    // ~100k vocabulary strings). Bulk arrays are copied straight from the segment.
    private byte[] window = new byte[0];

    private GgufParser(MemorySegment seg, String file, FieldListener listener) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.file = file;
        this.listener = listener;
    }

    static Result parse(MemorySegment seg, String file) {
        return new GgufParser(seg, file, null).run();
    }

    /** Parses, reporting the offset and name of every field read (for hostile-file tests). */
    static Result parse(MemorySegment seg, String file, FieldListener listener) {
        return new GgufParser(seg, file, listener).run();
    }

    private Result run() {
        int magic = u32("magic");
        if (magic != MAGIC) {
            throw error("magic", "expected \"GGUF\" (0x46554747), found 0x" + Integer.toHexString(magic)
                    + " - not a GGUF file");
        }
        int version = u32("version");
        if (version != 2 && version != 3) {
            int swapped = Integer.reverseBytes(version);
            if (swapped >= 1 && swapped <= 3) throw error("version", "big-endian GGUF files are not supported");
            if (version == 1) throw error("version", "GGUF v1 is not supported (supported: 2, 3)");
            throw error("version", Integer.toUnsignedString(version) + " is not supported (supported: 2, 3)");
        }
        long tensorCount = count("tensor_count", 8 + 4 + 8 + 4 + 8, MAX_ENTRIES);
        long kvCount = count("kv_count", 8 + 4 + 1, MAX_ENTRIES);

        Map<String, MetadataValue> kvs = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string("metadata[" + i + "] key", 1L << 16);
            String field = "metadata key '" + printable(key) + "'";
            if (kvs.containsKey(key)) throw error(field, "duplicate key");
            int typeId = u32(field + " type");
            ValueType type = ValueType.byId(Integer.toUnsignedLong(typeId));
            if (type == null) throw error(field + " type", "unknown value type id " + Integer.toUnsignedString(typeId));
            kvs.put(key, value(field, type, 0));
        }
        Metadata metadata = new Metadata(file, kvs);

        int alignment = DEFAULT_ALIGNMENT;
        if (kvs.containsKey("general.alignment")) {
            MetadataValue a = kvs.get("general.alignment");
            long v = a.type().isInteger() ? (Long) a.value() : -1;
            if (!a.type().isInteger() || v <= 0 || v > (1 << 30) || Long.bitCount(v) != 1) {
                throw error("metadata key 'general.alignment'", a + " is not a power of two in [1, 2^30]");
            }
            alignment = (int) v;
        }

        List<TensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string("tensor[" + i + "] name", 1L << 16);
            String field = "tensor '" + printable(name) + "'";
            if (!names.add(name)) throw error(field, "duplicate tensor name");
            int nDims = u32(field + " n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw error(field + " n_dims", Integer.toUnsignedString(nDims) + " is not in [1, " + MAX_DIMS + "]");
            }
            long[] shape = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                shape[d] = u64(field + " ne[" + d + "]");
                if (shape[d] < 1) {
                    throw error(field + " ne[" + d + "]", Long.toUnsignedString(shape[d]) + " (dimensions must be >= 1)");
                }
            }
            int typeId = u32(field + " type");
            GgmlType type = GgmlType.byId(Integer.toUnsignedLong(typeId));
            if (type == null) {
                throw error(field + " type", "unknown ggml type id " + Integer.toUnsignedString(typeId)
                        + " (known: " + GgmlType.knownIds() + ")");
            }
            long offset = u64(field + " offset");
            if (offset < 0 || offset % alignment != 0) {
                throw error(field + " offset", Long.toUnsignedString(offset) + " is not a multiple of the alignment "
                        + alignment);
            }
            if (shape[0] % type.blockElems() != 0) {
                throw error(field + " ne[0]", shape[0] + " is not a multiple of the " + type + " block size "
                        + type.blockElems());
            }
            long bytes;
            try {
                bytes = TensorInfo.byteSizeOf(type, shape);
            } catch (ArithmeticException e) {
                throw error(field + " shape", java.util.Arrays.toString(shape) + " of " + type + " overflows 64 bits");
            }
            charge(field, 200);
            tensors.add(new TensorInfo(name, type, shape, offset, bytes));
        }

        mark("end of tensor infos", -1);
        long dataOffset = (pos + alignment - 1) & -(long) alignment;
        if (!tensors.isEmpty()) checkData(tensors, dataOffset);
        return new Result(version, metadata, List.copyOf(tensors), alignment, dataOffset);
    }

    private void checkData(List<TensorInfo> tensors, long dataOffset) {
        if (dataOffset > size) {
            throw error("data section", "starts at offset " + dataOffset + ", beyond the end of the file (size "
                    + size + "): truncated file");
        }
        long dataSize = size - dataOffset;
        for (TensorInfo t : tensors) {
            if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw error("tensor '" + printable(t.name()) + "' data", "bytes " + range(t)
                        + " of the data section lie beyond its end (" + dataSize + " bytes at file offset "
                        + dataOffset + "): truncated or corrupt file");
            }
        }
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (a.offset() + a.byteSize() > b.offset()) {
                throw error("tensor '" + printable(b.name()) + "' data", "bytes " + range(b) + " overlap tensor '"
                        + printable(a.name()) + "' at " + range(a));
            }
        }
    }

    /** "[start, end)" of a tensor's data, the end saturated rather than overflowing. */
    private static String range(TensorInfo t) {
        long end = t.offset() + t.byteSize();
        return "[" + t.offset() + ", " + (end < 0 ? "2^63+" : Long.toString(end)) + ")";
    }

    // ---- values --------------------------------------------------------------------------------

    private MetadataValue value(String field, ValueType type, int depth) {
        return switch (type) {
            case UINT8 -> new MetadataValue(type, null, (long) (u8(field) & 0xFF));
            case INT8 -> new MetadataValue(type, null, (long) u8(field));
            case UINT16 -> new MetadataValue(type, null, (long) (u16(field) & 0xFFFF));
            case INT16 -> new MetadataValue(type, null, (long) u16(field));
            case UINT32 -> new MetadataValue(type, null, Integer.toUnsignedLong(u32(field)));
            case INT32 -> new MetadataValue(type, null, (long) u32(field));
            case UINT64, INT64 -> new MetadataValue(type, null, u64(field));
            case FLOAT32 -> {
                need(4, field);
                float f = Float.intBitsToFloat(le32(pos));
                pos += 4;
                yield new MetadataValue(type, null, f);
            }
            case FLOAT64 -> {
                need(8, field);
                double d = Double.longBitsToDouble(le64(pos));
                pos += 8;
                yield new MetadataValue(type, null, d);
            }
            case BOOL -> new MetadataValue(type, null, bool(field));
            case STRING -> new MetadataValue(type, null, string(field, MAX_STRING_BYTES));
            case ARRAY -> array(field, depth);
        };
    }

    private MetadataValue array(String field, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) throw error(field, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        int typeId = u32(field + " element type");
        ValueType et = ValueType.byId(Integer.toUnsignedLong(typeId));
        if (et == null) throw error(field + " element type", "unknown value type id " + Integer.toUnsignedString(typeId));
        long n = count(field + " length", et.minBytes(), MAX_COUNT);
        int len = (int) n;
        Object data = switch (et) {
            case UINT8, INT8 -> {
                byte[] a = new byte[len];
                charge(field, n);
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, a, 0, len);
                pos += n;
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                charge(field, 2 * n);
                MemorySegment.copy(seg, U16, pos, a, 0, len);
                pos += 2 * n;
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                charge(field, 4 * n);
                MemorySegment.copy(seg, U32, pos, a, 0, len);
                pos += 4 * n;
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                charge(field, 8 * n);
                MemorySegment.copy(seg, U64, pos, a, 0, len);
                pos += 8 * n;
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                charge(field, 4 * n);
                MemorySegment.copy(seg, F32, pos, a, 0, len);
                pos += 4 * n;
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                charge(field, 8 * n);
                MemorySegment.copy(seg, F64, pos, a, 0, len);
                pos += 8 * n;
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                charge(field, n);
                for (int i = 0; i < len; i++) a[i] = bool(field, i);
                yield a;
            }
            case STRING -> {
                charge(field, 8 * n);
                String[] a = new String[len];
                for (int i = 0; i < len; i++) a[i] = string(field, i, MAX_STRING_BYTES);
                yield a;
            }
            case ARRAY -> {
                charge(field, 8 * n);
                MetadataValue[] a = new MetadataValue[len];
                for (int i = 0; i < len; i++) a[i] = array(field + "[" + i + "]", depth + 1);
                yield a;
            }
        };
        return new MetadataValue(ValueType.ARRAY, et, data);
    }

    // ---- primitives ----------------------------------------------------------------------------

    private void mark(String field, long index) {
        if (listener != null) listener.field(pos, name(field, index));
    }

    /** Element names are built only when needed: vocabularies have ~150k elements. */
    private static String name(String field, long index) {
        return index < 0 ? field : field + "[" + index + "]";
    }

    private void need(long n, String field) {
        need(n, field, -1);
    }

    private void need(long n, String field, long index) {
        mark(field, index);
        if (n > size - pos) {
            throw error(name(field, index), "truncated: needs " + n + " bytes at offset " + pos + " but the file ends at "
                    + size);
        }
        if (pos + n > window.length) grow(pos + n, field);
    }

    /** Extends the heap window to cover at least [0, end), doubling to keep copies linear. */
    private void grow(long end, String field) {
        long want = Math.min(size, Math.max(end, Math.max(1 << 20, 2L * window.length)));
        if (want > Integer.MAX_VALUE - 16) throw error(field, "metadata and tensor infos larger than 2 GiB");
        byte[] bigger = new byte[(int) want];
        System.arraycopy(window, 0, bigger, 0, window.length);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, window.length, bigger, window.length, (int) want - window.length);
        window = bigger;
    }

    private int le32(long at) {
        int p = (int) at;
        byte[] w = window;
        return (w[p] & 0xFF) | (w[p + 1] & 0xFF) << 8 | (w[p + 2] & 0xFF) << 16 | (w[p + 3] & 0xFF) << 24;
    }

    private long le64(long at) {
        return (le32(at) & 0xFFFF_FFFFL) | ((long) le32(at + 4)) << 32;
    }

    private byte u8(String field) {
        need(1, field);
        return window[(int) pos++];
    }

    private boolean bool(String field) {
        return bool(field, -1);
    }

    private boolean bool(String field, long index) {
        need(1, field, index);
        byte b = window[(int) pos++];
        if (b != 0 && b != 1) {
            throw error(name(field, index), "BOOL byte " + (b & 0xFF) + " at offset " + (pos - 1) + " is not 0 or 1");
        }
        return b == 1;
    }

    private short u16(String field) {
        need(2, field);
        short v = (short) ((window[(int) pos] & 0xFF) | (window[(int) pos + 1] << 8));
        pos += 2;
        return v;
    }

    private int u32(String field) {
        need(4, field);
        int v = le32(pos);
        pos += 4;
        return v;
    }

    private long u64(String field) {
        return u64(field, -1);
    }

    private long u64(String field, long index) {
        need(8, field, index);
        long v = le64(pos);
        pos += 8;
        return v;
    }

    /** A u64 element count, capped by the bytes left (each element needs at least minBytes). */
    private long count(String field, long minBytes, long max) {
        long at = pos;
        long n = u64(field);
        long left = size - pos;
        if (n < 0 || n > max) {
            throw error(field, Long.toUnsignedString(n) + " at offset " + at + " exceeds the limit " + max);
        }
        if (n * minBytes > left) {
            throw error(field, n + " at offset " + at + " needs at least " + n * minBytes + " bytes but only " + left
                    + " remain in the file: truncated or corrupt");
        }
        return n;
    }

    private String string(String field, long maxBytes) {
        return string(field, -1, maxBytes);
    }

    private String string(String field, long index, long maxBytes) {
        long at = pos;
        long len = index < 0 ? u64(field + " length") : u64(field, index); // hot path: no name built
        if (len < 0 || len > maxBytes) {
            throw error(name(field, index) + " length", Long.toUnsignedString(len) + " at offset " + at
                    + " exceeds the limit " + maxBytes);
        }
        need(len, field, index);
        charge(field, 2 * len + 48);
        String str = new String(window, (int) pos, (int) len, StandardCharsets.UTF_8);
        pos += len;
        return str;
    }

    private void charge(String field, long bytes) {
        heapLeft -= bytes;
        if (heapLeft < 0) throw error(field, "metadata takes more than " + (MAX_HEAP_BYTES >> 20) + " MiB of memory");
    }

    /** A name fit for an error message: control characters escaped, long names abbreviated. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 120; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        if (sb.length() >= 120) sb.append("...(").append(s.length()).append(" chars)");
        return sb.toString();
    }

    private GgufFormatException error(String field, String problem) {
        return GgufFormatException.of(file, field, problem);
    }
}
