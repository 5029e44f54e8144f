package dev.panllama.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Produces a tensor's bytes for {@link GgufWriter}, streamed so that multi-GB synthetic models
 * never sit in memory whole. The writer checks that exactly the tensor's byte size is written.
 */
@FunctionalInterface
public interface TensorData {
    void writeTo(WritableByteChannel out) throws IOException;

    static TensorData of(byte[] bytes) {
        return out -> writeFully(out, ByteBuffer.wrap(bytes));
    }

    /** The bytes of a segment (e.g. a tensor of another mapped GgufFile). */
    static TensorData of(MemorySegment segment) {
        return out -> {
            long chunk = 1 << 20;
            for (long pos = 0; pos < segment.byteSize(); pos += chunk) {
                writeFully(out, segment.asSlice(pos, Math.min(chunk, segment.byteSize() - pos)).asByteBuffer());
            }
        };
    }

    static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }
}
