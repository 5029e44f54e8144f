package dev.panllama.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Helpers for hostile-file tests: the fields of a file, byte patches, in-memory parses. */
final class HostileFiles {
    private HostileFiles() {}

    record Field(long offset, String name) {}

    static List<Field> fields(MemorySegment seg) {
        List<Field> out = new ArrayList<>();
        GgufParser.parse(seg, "fields", (offset, name) -> out.add(new Field(offset, name)));
        return out;
    }

    /** The offset of the first field with exactly this name. */
    static long offsetOf(List<Field> fields, String name) {
        for (Field f : fields) if (f.name().equals(name)) return f.offset();
        throw new AssertionError("no field '" + name + "' among " + fields.size() + " fields");
    }

    static GgufParser.Result parse(byte[] bytes, String name) {
        return GgufParser.parse(MemorySegment.ofArray(bytes), name);
    }

    static byte[] patchU32(byte[] file, long offset, int value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) offset, value);
        return b;
    }

    static byte[] patchU64(byte[] file, long offset, long value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong((int) offset, value);
        return b;
    }

    static byte[] patchBytes(byte[] file, long offset, byte[] value) {
        byte[] b = file.clone();
        System.arraycopy(value, 0, b, (int) offset, value.length);
        return b;
    }
}
