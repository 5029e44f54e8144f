package dev.panllama.gguf;

import dev.panllama.PanllamaException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (v2 or v3), mapped read-only. The whole file is mapped into one segment owned by a
 * shared arena that {@link #close()} releases; tensor data is handed out as slices of that mapping
 * and never copied onto the Java heap. Everything is validated at {@link #open}: every tensor slice
 * lies inside the file, so native code may read the slices {@link #data} returns.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Metadata metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final int alignment;
    private final long dataOffset;
    private volatile boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment file, GgufParser.Result r) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = r.version();
        this.metadata = r.metadata();
        this.tensors = r.tensors();
        this.alignment = r.alignment();
        this.dataOffset = r.dataOffset();
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (TensorInfo t : tensors) m.put(t.name(), t);
        this.byName = m;
    }

    /** Maps and validates a GGUF file. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? arena.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new GgufFile(path, arena, seg, GgufParser.parse(seg, path.toString()));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new PanllamaException(path + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new PanllamaException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** GGUF format version (2 or 3). */
    public int version() {
        ensureOpen();
        return version;
    }

    public Metadata metadata() {
        ensureOpen();
        return metadata;
    }

    /** Tensor infos in file order. */
    public List<TensorInfo> tensors() {
        ensureOpen();
        return tensors;
    }

    public Optional<TensorInfo> tensor(String name) {
        ensureOpen();
        return Optional.ofNullable(byName.get(name));
    }

    public boolean hasTensor(String name) {
        ensureOpen();
        return byName.containsKey(name);
    }

    /** The named tensor, or an error naming the file and the tensor. */
    public TensorInfo requireTensor(String name) {
        ensureOpen();
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw GgufFormatException.of(path, "tensor '" + name + "'", "missing (the file has " + tensors.size()
                    + " tensors)");
        }
        return t;
    }

    /** The tensor's bytes: a slice of the mapping, valid until {@link #close()}. */
    public MemorySegment data(TensorInfo tensor) {
        ensureOpen();
        TensorInfo own = byName.get(tensor.name());
        if (!tensor.equals(own)) {
            throw new IllegalArgumentException(path + ": " + tensor + " is not a tensor of this file");
        }
        return file.asSlice(dataOffset + own.offset(), own.byteSize());
    }

    /** The named tensor's bytes (see {@link #requireTensor}). */
    public MemorySegment data(String name) {
        return data(requireTensor(name));
    }

    /** The whole file mapping, valid until {@link #close()}. */
    public MemorySegment segment() {
        ensureOpen();
        return file;
    }

    /** File offset where tensor data starts (tensor offsets are relative to it). */
    public long dataOffset() {
        ensureOpen();
        return dataOffset;
    }

    /** Data alignment in bytes ({@code general.alignment}, default 32). */
    public int alignment() {
        ensureOpen();
        return alignment;
    }

    public long fileSize() {
        ensureOpen();
        return file.byteSize();
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + ": GgufFile is closed");
    }

    /** Unmaps the file; slices handed out before become invalid (accessing them throws). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }
}
