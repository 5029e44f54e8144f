package dev.panllama.kernels;

import dev.panllama.PanllamaException;
import java.lang.foreign.MemorySegment;

/**
 * Argument checks run before every downcall, so bad input is an exception, never a native fault.
 * They run per kernel call (hundreds per token), so they allocate nothing when the arguments are
 * good: each check returns null, or on failure the problem text; the caller then names the call
 * ("pl_matmul(wtype=q4_0, ...)") and throws {@link #fail}. Strings are built only on failure.
 */
final class Check {
    private Check() {}

    /** null if seg is a native segment of at least bytes bytes whose address is a multiple of align. */
    static String bytes(String name, MemorySegment seg, long bytes, int align) {
        if (seg == null) return name + " is null";
        if (!seg.isNative()) return name + " must be a native (off-heap) segment";
        if (seg.byteSize() < bytes) return name + " is " + seg.byteSize() + " bytes, needs " + bytes;
        if (align > 1 && seg.address() % align != 0) {
            return name + " address 0x" + Long.toHexString(seg.address()) + " is not aligned to " + align + " bytes";
        }
        return null;
    }

    static String floats(String name, MemorySegment seg, long n) {
        return bytes(name, seg, Math.multiplyExact(n, (long) Float.BYTES), Float.BYTES);
    }

    static String ints(String name, MemorySegment seg, long n) {
        return bytes(name, seg, Math.multiplyExact(n, (long) Integer.BYTES), Integer.BYTES);
    }

    static String positive(String name, long v) {
        return v <= 0 ? name + " must be > 0, got " + v : null;
    }

    /** Alignment a tensor of type needs: its element size for float types, none for block types. */
    static int typeAlign(int type) {
        return switch (type) {
            case Kernels.F32 -> 4;
            case Kernels.F16, Kernels.BF16 -> 2;
            default -> 1;
        };
    }

    /** The exception for a failed check: "call: problem". */
    static PanllamaException fail(String call, String problem) {
        return new PanllamaException(call + ": " + problem);
    }

    /** The exception for a non-zero native status. */
    static PanllamaException failed(String call, int status) {
        return new PanllamaException(call + " failed: " + Kernels.strerror(status) + " (status " + status + ")");
    }
}
