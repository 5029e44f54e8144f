package dev.panllama.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's description in a GGUF file.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type element type
 * @param shape dimensions in ggml order: {@code shape[0]} (ne0) is the row length, the fastest
 *     varying dimension; a matrix {@code [ne0, ne1]} has ne1 rows of ne0 elements
 * @param offset byte offset relative to the start of the file's data section
 * @param byteSize bytes of tensor data
 */
public record TensorInfo(String name, GgmlType type, long[] shape, long offset, long byteSize) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    /** Builds the info of a tensor, computing its byte size (checked: dims >= 1, no overflow). */
    public static TensorInfo of(String name, GgmlType type, long offset, long... shape) {
        return new TensorInfo(name, type, shape, offset, byteSizeOf(type, shape));
    }

    /**
     * Bytes of a tensor of this type and shape.
     *
     * @throws IllegalArgumentException for a dimension below 1 or a row length that is not a
     *     multiple of the type's block size
     * @throws ArithmeticException on overflow
     */
    public static long byteSizeOf(GgmlType type, long... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("a tensor needs at least one dimension");
        long rows = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) throw new IllegalArgumentException("dimension " + i + " is " + shape[i] + " (must be >= 1)");
            if (i > 0) rows = Math.multiplyExact(rows, shape[i]);
        }
        return Math.multiplyExact(type.rowBytes(shape[0]), rows);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int dims() {
        return shape.length;
    }

    /** Dimension i (ggml order), 1 beyond the stored dimensions, as in ggml. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Row length (ne0). */
    public long rowLength() {
        return shape[0];
    }

    /** Number of rows: the product of all dimensions but the first. */
    public long rows() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n = Math.multiplyExact(n, shape[i]);
        return n;
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.rowBytes(shape[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
