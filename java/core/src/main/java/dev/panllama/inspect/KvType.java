package dev.panllama.inspect;

import java.util.Locale;

/** Element type of the KV cache, with its storage cost (q8_0: blocks of 32 values in 34 bytes). */
public enum KvType {
    F32(1, 4),
    F16(1, 2),
    Q8_0(32, 34);

    private final int blockElems;
    private final int blockBytes;

    KvType(int blockElems, int blockBytes) {
        this.blockElems = blockElems;
        this.blockBytes = blockBytes;
    }

    /** Bytes of one row of {@code n} values (a partial block still costs a whole block). */
    public long rowBytes(long n) {
        return Math.ceilDiv(n, blockElems) * blockBytes;
    }

    /** The lower-case name used on the command line and in JSON: f32, f16, q8_0. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses f32, f16 or q8_0 (any case). */
    public static KvType parse(String s) {
        for (KvType t : values()) {
            if (t.label().equalsIgnoreCase(s.strip())) return t;
        }
        throw new IllegalArgumentException("unknown KV cache type '" + s + "' (supported: f32, f16, q8_0)");
    }
}
