package dev.panllama.kernels;

import dev.panllama.PanllamaException;
import java.lang.foreign.MemorySegment;

/** Argument checks run before every downcall, so bad input is an exception, never a native fault. */
final class Check {
    private Check() {}

    /** seg must be a native segment of at least bytes bytes whose address is a multiple of align. */
    static void bytes(String call, String name, MemorySegment seg, long bytes, int align) {
        if (seg == null) throw new PanllamaException(call + ": " + name + " is null");
        if (!seg.isNative()) {
            throw new PanllamaException(call + ": " + name + " must be a native (off-heap) segment");
        }
        if (seg.byteSize() < bytes) {
            throw new PanllamaException(call + ": " + name + " is " + seg.byteSize() + " bytes, needs " + bytes);
        }
        if (align > 1 && seg.address() % align != 0) {
            throw new PanllamaException(call + ": " + name + " address 0x" + Long.toHexString(seg.address())
                    + " is not aligned to " + align + " bytes");
        }
    }

    static void floats(String call, String name, MemorySegment seg, long n) {
        bytes(call, name, seg, Math.multiplyExact(n, (long) Float.BYTES), Float.BYTES);
    }

    static void ints(String call, String name, MemorySegment seg, long n) {
        bytes(call, name, seg, Math.multiplyExact(n, (long) Integer.BYTES), Integer.BYTES);
    }

    /** Alignment a tensor of type needs: its element size for float types, none for block types. */
    static int typeAlign(int type) {
        return switch (type) {
            case Kernels.F32 -> 4;
            case Kernels.F16, Kernels.BF16 -> 2;
            default -> 1;
        };
    }

    static void status(String call, int status) {
        if (status != 0) {
            throw new PanllamaException(call + " failed: " + Kernels.strerror(status) + " (status " + status + ")");
        }
    }

    static void positive(String call, String name, long v) {
        if (v <= 0) throw new PanllamaException(call + ": " + name + " must be > 0, got " + v);
    }
}
