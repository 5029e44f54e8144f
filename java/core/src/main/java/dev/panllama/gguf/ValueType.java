package dev.panllama.gguf;

/** GGUF metadata value types with their on-disk ids. */
public enum ValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final ValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    ValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes on disk (a string: its length; an array: its
     * element type and count). Caps element counts by the bytes left in the file.
     */
    int minBytes() {
        return minBytes;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with this id, or null when unknown (callers report the file and field). */
    static ValueType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The type with this id, or a {@link GgufFormatException}. */
    public static ValueType fromId(int id) {
        ValueType t = byId(id);
        if (t == null) throw new GgufFormatException("unknown GGUF value type id " + id);
        return t;
    }
}
