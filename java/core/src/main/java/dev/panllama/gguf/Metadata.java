package dev.panllama.gguf;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, with typed getters. A missing or mistyped key is a
 * {@link GgufFormatException} naming the file, the key, the expected and the actual type. Integer
 * getters accept any integer width and check that the value fits.
 */
public final class Metadata {
    private final String source;
    private final Map<String, MetadataValue> values;

    /** @param source the file (or other origin) named in error messages */
    public Metadata(String source, Map<String, MetadataValue> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Where this metadata came from (the file path), as named in errors. */
    public String source() {
        return source;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }

    /** All values in file order (unmodifiable). */
    public Map<String, MetadataValue> asMap() {
        return values;
    }

    /** The raw typed value, or a clear error when the key is missing. */
    public MetadataValue value(String key) {
        MetadataValue v = values.get(key);
        if (v == null) throw GgufFormatException.of(source, "metadata key '" + key + "'", "missing");
        return v;
    }

    public Optional<MetadataValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public ValueType type(String key) {
        return value(key).type();
    }

    /** The element type of an array value (an error when the value is not an array). */
    public ValueType elementType(String key) {
        MetadataValue v = value(key);
        if (!v.isArray()) throw mistyped(key, "ARRAY", v);
        return v.elementType();
    }

    /** Element count of an array value, without copying it. */
    public int arrayLength(String key) {
        MetadataValue v = value(key);
        if (!v.isArray()) throw mistyped(key, "ARRAY", v);
        return v.length();
    }

    // ---- scalars -------------------------------------------------------------------------------

    public String getString(String key) {
        MetadataValue v = value(key);
        if (v.value() instanceof String s && v.type() == ValueType.STRING) return s;
        throw mistyped(key, "STRING", v);
    }

    /** Any integer width; UINT64 values above Long.MAX_VALUE are an error. */
    public long getLong(String key) {
        MetadataValue v = value(key);
        if (!v.type().isInteger()) throw mistyped(key, "an integer", v);
        long x = (Long) v.value();
        if (v.type() == ValueType.UINT64 && x < 0) {
            throw GgufFormatException.of(source, "metadata key '" + key + "'",
                    "UINT64 value " + Long.toUnsignedString(x) + " does not fit in a signed 64-bit integer");
        }
        return x;
    }

    /**
     * An unsigned integer of any width as its raw 64 bits (UINT64 values above Long.MAX_VALUE are
     * negative: use {@link Long#toUnsignedString}); negative signed values are an error.
     */
    public long getUnsignedLong(String key) {
        MetadataValue v = value(key);
        if (!v.type().isInteger()) throw mistyped(key, "an integer", v);
        long x = (Long) v.value();
        if (x < 0 && v.type() != ValueType.UINT64) {
            throw GgufFormatException.of(source, "metadata key '" + key + "'", v.type() + " value " + x + " is negative");
        }
        return x;
    }

    /** Any integer width whose value fits in an int. */
    public int getInt(String key) {
        long x = getLong(key);
        if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw GgufFormatException.of(source, "metadata key '" + key + "'",
                    type(key) + " value " + x + " does not fit in a 32-bit int");
        }
        return (int) x;
    }

    /** FLOAT32, or FLOAT64 narrowed. */
    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    /** FLOAT32 or FLOAT64. */
    public double getDouble(String key) {
        MetadataValue v = value(key);
        if (v.value() instanceof Float f) return f;
        if (v.value() instanceof Double d) return d;
        throw mistyped(key, "FLOAT32 or FLOAT64", v);
    }

    public boolean getBool(String key) {
        MetadataValue v = value(key);
        if (v.value() instanceof Boolean b) return b;
        throw mistyped(key, "BOOL", v);
    }

    // ---- scalars with defaults / optional ------------------------------------------------------

    public String getString(String key, String defaultValue) {
        return has(key) ? getString(key) : defaultValue;
    }

    public long getLong(String key, long defaultValue) {
        return has(key) ? getLong(key) : defaultValue;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    public float getFloat(String key, float defaultValue) {
        return has(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBool(String key, boolean defaultValue) {
        return has(key) ? getBool(key) : defaultValue;
    }

    public Optional<String> findString(String key) {
        return has(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public OptionalLong findLong(String key) {
        return has(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    public OptionalInt findInt(String key) {
        return has(key) ? OptionalInt.of(getInt(key)) : OptionalInt.empty();
    }

    public Optional<Float> findFloat(String key) {
        return has(key) ? Optional.of(getFloat(key)) : Optional.empty();
    }

    public Optional<Boolean> findBool(String key) {
        return has(key) ? Optional.of(getBool(key)) : Optional.empty();
    }

    // ---- arrays --------------------------------------------------------------------------------

    /** An unmodifiable view of a STRING array (no copy: vocabularies hold ~150k strings). */
    public List<String> getStringArray(String key) {
        MetadataValue v = value(key);
        if (v.value() instanceof String[] a) return Collections.unmodifiableList(Arrays.asList(a));
        throw mistyped(key, "ARRAY<STRING>", v);
    }

    /** A fresh int[] from an array of any integer width whose values all fit in an int. */
    public int[] getIntArray(String key) {
        MetadataValue v = value(key);
        Object a = v.value();
        ValueType et = v.elementType();
        if (et == null || !et.isInteger()) throw mistyped(key, "an ARRAY of integers", v);
        switch (a) {
            case int[] ints when et == ValueType.INT32 -> { return ints.clone(); }
            case int[] ints -> { // UINT32
                int[] out = new int[ints.length];
                for (int i = 0; i < ints.length; i++) {
                    if (ints[i] < 0) throw elementRange(key, i, Integer.toUnsignedString(ints[i]), "int");
                    out[i] = ints[i];
                }
                return out;
            }
            default -> {
                long[] longs = toLongs(key, v);
                int[] out = new int[longs.length];
                for (int i = 0; i < longs.length; i++) {
                    if (longs[i] != (int) longs[i]) throw elementRange(key, i, Long.toString(longs[i]), "int");
                    out[i] = (int) longs[i];
                }
                return out;
            }
        }
    }

    /** A fresh long[] from an array of any integer width (UINT64 above Long.MAX_VALUE is an error). */
    public long[] getLongArray(String key) {
        MetadataValue v = value(key);
        if (v.elementType() == null || !v.elementType().isInteger()) throw mistyped(key, "an ARRAY of integers", v);
        return toLongs(key, v);
    }

    private long[] toLongs(String key, MetadataValue v) {
        ValueType et = v.elementType();
        Object a = v.value();
        boolean unsigned = et == ValueType.UINT8 || et == ValueType.UINT16 || et == ValueType.UINT32;
        long[] out;
        switch (a) {
            case byte[] b -> {
                out = new long[b.length];
                for (int i = 0; i < b.length; i++) out[i] = unsigned ? Byte.toUnsignedLong(b[i]) : b[i];
            }
            case short[] s -> {
                out = new long[s.length];
                for (int i = 0; i < s.length; i++) out[i] = unsigned ? Short.toUnsignedLong(s[i]) : s[i];
            }
            case int[] n -> {
                out = new long[n.length];
                for (int i = 0; i < n.length; i++) out[i] = unsigned ? Integer.toUnsignedLong(n[i]) : n[i];
            }
            case long[] l -> {
                out = l.clone();
                if (et == ValueType.UINT64) {
                    for (int i = 0; i < out.length; i++) {
                        if (out[i] < 0) throw elementRange(key, i, Long.toUnsignedString(out[i]), "long");
                    }
                }
            }
            default -> throw mistyped(key, "an ARRAY of integers", v);
        }
        return out;
    }

    /** A fresh float[] from a FLOAT32 (or FLOAT64, narrowed) array. */
    public float[] getFloatArray(String key) {
        MetadataValue v = value(key);
        if (v.value() instanceof float[] f) return f.clone();
        if (v.value() instanceof double[] d) {
            float[] out = new float[d.length];
            for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
            return out;
        }
        throw mistyped(key, "ARRAY<FLOAT32>", v);
    }

    public Optional<List<String>> findStringArray(String key) {
        return has(key) ? Optional.of(getStringArray(key)) : Optional.empty();
    }

    public Optional<int[]> findIntArray(String key) {
        return has(key) ? Optional.of(getIntArray(key)) : Optional.empty();
    }

    public Optional<float[]> findFloatArray(String key) {
        return has(key) ? Optional.of(getFloatArray(key)) : Optional.empty();
    }

    // ---- errors --------------------------------------------------------------------------------

    private GgufFormatException mistyped(String key, String expected, MetadataValue actual) {
        return GgufFormatException.of(source, "metadata key '" + key + "'",
                "expected " + expected + ", found " + describe(actual));
    }

    private GgufFormatException elementRange(String key, int index, String value, String target) {
        return GgufFormatException.of(source, "metadata key '" + key + "' element " + index,
                "value " + value + " does not fit in a " + target);
    }

    private static String describe(MetadataValue v) {
        return v.isArray() ? "ARRAY<" + v.elementType() + ">" : v.type().name();
    }

    @Override
    public String toString() {
        return "Metadata[" + source + ", " + values.size() + " keys]";
    }
}
