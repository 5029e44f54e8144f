package dev.panllama.gguf;

/**
 * ggml tensor element types with their on-disk ids and block layouts (elements per block, bytes
 * per block), as defined by ggml. Ids 4, 5, 31-33 and 36-38 were removed from ggml and are unknown.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17);

    private static final GgmlType[] BY_ID = new GgmlType[40];

    static {
        for (GgmlType t : values()) BY_ID[t.id] = t;
    }

    private final int id;
    private final int blockElems;
    private final int blockBytes;

    GgmlType(int id, int blockElems, int blockBytes) {
        this.id = id;
        this.blockElems = blockElems;
        this.blockBytes = blockBytes;
    }

    /** The type id stored in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** Elements per quantization block (1 for plain float/int types). */
    public int blockElems() {
        return blockElems;
    }

    /** Bytes per quantization block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** True for block-quantized types (block of more than one element). */
    public boolean isQuantized() {
        return blockElems > 1;
    }

    /**
     * Bytes of a row of {@code n} elements.
     *
     * @throws IllegalArgumentException when n is negative or not a multiple of the block size
     * @throws ArithmeticException when the size overflows a long
     */
    public long rowBytes(long n) {
        if (n < 0) throw new IllegalArgumentException(this + ": negative element count " + n);
        if (n % blockElems != 0) {
            throw new IllegalArgumentException(
                    this + ": row of " + n + " elements is not a multiple of the block size " + blockElems);
        }
        return Math.multiplyExact(n / blockElems, (long) blockBytes);
    }

    /** The type with this GGUF id, or null when unknown (callers name the file and tensor). */
    static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The type with this GGUF id, or a {@link GgufFormatException} naming the unknown id. */
    public static GgmlType fromId(int id) {
        GgmlType t = byId(id);
        if (t == null) {
            throw new GgufFormatException("unknown ggml type id " + id + " (known: " + knownIds() + ")");
        }
        return t;
    }

    static String knownIds() {
        StringBuilder sb = new StringBuilder();
        for (GgmlType t : values()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(t.name()).append('=').append(t.id);
        }
        return sb.toString();
    }
}
