package dev.panllama.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One typed GGUF metadata value, as stored on disk.
 *
 * <p>Representation of {@code value}: integer scalars are a {@link Long} (UINT64 holds the raw
 * 64 bits, so values above {@code Long.MAX_VALUE} are negative; the other unsigned widths hold
 * their non-negative value); FLOAT32 a {@link Float}; FLOAT64 a {@link Double}; BOOL a
 * {@link Boolean}; STRING a {@link String}. An ARRAY holds a primitive array chosen by its element
 * type (raw bits for unsigned types): UINT8/INT8 {@code byte[]}, UINT16/INT16 {@code short[]},
 * UINT32/INT32 {@code int[]}, UINT64/INT64 {@code long[]}, FLOAT32 {@code float[]}, FLOAT64
 * {@code double[]}, BOOL {@code boolean[]}, STRING {@code String[]}, ARRAY {@code MetadataValue[]}
 * (nested arrays). {@code elementType} is null for scalars. Arrays are shared, not copied: do not
 * modify them (the typed getters of {@link Metadata} hand out copies). Strings are decoded as
 * UTF-8 with malformed bytes replaced by U+FFFD (none of the shared vocab files has any).
 */
public record MetadataValue(ValueType type, ValueType elementType, Object value) {

    public MetadataValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == ValueType.ARRAY) {
            Objects.requireNonNull(elementType, "elementType of an array");
            Class<?> want = arrayClass(elementType);
            if (value.getClass() != want) {
                throw new IllegalArgumentException("array of " + elementType + " needs a " + want.getSimpleName()
                        + ", got " + value.getClass().getSimpleName());
            }
            if (value instanceof MetadataValue[] nested) {
                for (MetadataValue v : nested) {
                    if (v == null || v.type != ValueType.ARRAY) {
                        throw new IllegalArgumentException("array of ARRAY needs array elements, got " + v);
                    }
                }
            }
            if (value instanceof String[] strings) {
                for (String s : strings) Objects.requireNonNull(s, "string element");
            }
        } else {
            if (elementType != null) throw new IllegalArgumentException(type + " is not an array");
            Class<?> want = scalarClass(type);
            if (value.getClass() != want) {
                throw new IllegalArgumentException(type + " needs a " + want.getSimpleName()
                        + ", got " + value.getClass().getSimpleName());
            }
            if (value instanceof Long l) checkRange(type, l);
        }
    }

    private static void checkRange(ValueType type, long v) {
        boolean ok = switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true; // 64-bit
        };
        if (!ok) throw new IllegalArgumentException(v + " is out of range for " + type);
    }

    static Class<?> scalarClass(ValueType type) {
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> throw new IllegalArgumentException("ARRAY is not a scalar type");
        };
    }

    static Class<?> arrayClass(ValueType elementType) {
        return switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> MetadataValue[].class;
        };
    }

    public boolean isArray() {
        return type == ValueType.ARRAY;
    }

    /** Element count of an array value. */
    public int length() {
        if (!isArray()) throw new IllegalStateException(type + " is not an array");
        return java.lang.reflect.Array.getLength(value);
    }

    // ---- factories -------------------------------------------------------------------------

    public static MetadataValue uint8(int v) { return new MetadataValue(ValueType.UINT8, null, (long) v); }
    public static MetadataValue int8(int v) { return new MetadataValue(ValueType.INT8, null, (long) v); }
    public static MetadataValue uint16(int v) { return new MetadataValue(ValueType.UINT16, null, (long) v); }
    public static MetadataValue int16(int v) { return new MetadataValue(ValueType.INT16, null, (long) v); }
    public static MetadataValue uint32(long v) { return new MetadataValue(ValueType.UINT32, null, v); }
    public static MetadataValue int32(int v) { return new MetadataValue(ValueType.INT32, null, (long) v); }
    /** Raw 64 bits: pass {@code -1L} for 2^64-1. */
    public static MetadataValue uint64(long v) { return new MetadataValue(ValueType.UINT64, null, v); }
    public static MetadataValue int64(long v) { return new MetadataValue(ValueType.INT64, null, v); }
    public static MetadataValue float32(float v) { return new MetadataValue(ValueType.FLOAT32, null, v); }
    public static MetadataValue float64(double v) { return new MetadataValue(ValueType.FLOAT64, null, v); }
    public static MetadataValue bool(boolean v) { return new MetadataValue(ValueType.BOOL, null, v); }
    public static MetadataValue string(String v) { return new MetadataValue(ValueType.STRING, null, v); }

    /** An array of {@code elementType} holding {@code array} (see the class comment for its Java type). */
    public static MetadataValue array(ValueType elementType, Object array) {
        return new MetadataValue(ValueType.ARRAY, elementType, array);
    }

    public static MetadataValue stringArray(List<String> v) {
        return array(ValueType.STRING, v.toArray(String[]::new));
    }

    public static MetadataValue int32Array(int[] v) { return array(ValueType.INT32, v.clone()); }
    public static MetadataValue uint32Array(int[] v) { return array(ValueType.UINT32, v.clone()); }
    public static MetadataValue float32Array(float[] v) { return array(ValueType.FLOAT32, v.clone()); }

    // ---- value semantics (arrays compared by content) ----------------------------------------

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataValue m && type == m.type && elementType == m.elementType
                && Arrays.deepEquals(new Object[] {value}, new Object[] {m.value});
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        if (!isArray()) {
            if (type == ValueType.UINT64) return type + ":" + Long.toUnsignedString((Long) value);
            if (value instanceof String s) return type + ":\"" + abbreviate(s) + "\"";
            return type + ":" + value;
        }
        return "ARRAY<" + elementType + ">[" + length() + "]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
