package dev.panllama.model;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A Llama-family model (llama, mistral, qwen2, SmolLM, TinyLlama, ...) ready to evaluate: its config
 * and its weights as views into the GGUF mapping, plus (by default) copies of the matrices the kernel
 * path multiplies faster in a repacked layout. Each {@link #newState} is one sequence with its own KV
 * cache, activations and thread pool; the model itself is immutable and may be shared by states on
 * different threads.
 */
public final class LlamaModel implements AutoCloseable {
    private final GgufFile file;
    private final boolean ownsFile;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final LlamaWeights kernelWeights;
    private final Arena repackArena; // owns the repacked copies; null when none were made
    private volatile boolean closed;

    private LlamaModel(GgufFile file, boolean ownsFile, LlamaConfig config, LlamaWeights weights, boolean repack) {
        this.file = file;
        this.ownsFile = ownsFile;
        this.config = config;
        this.weights = weights;
        Arena arena = repack ? Arena.ofShared() : null;
        LlamaWeights kw = weights;
        try {
            if (arena != null) kw = weights.repacked(arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        if (arena != null && kw == weights) {
            arena.close();
            arena = null;
        }
        this.kernelWeights = kw;
        this.repackArena = arena;
    }

    /**
     * Reads the config, checks every tensor and repacks the matrices the kernel path prefers in another
     * layout. The model views {@code file}'s mapping: the caller keeps the file open while the model
     * and its states are used, and closes it afterwards.
     */
    public static LlamaModel load(GgufFile file) {
        return load(file, true);
    }

    /** As {@link #load(GgufFile)}; {@code repack} false keeps every matrix as the file has it. */
    public static LlamaModel load(GgufFile file, boolean repack) {
        LlamaConfig config = LlamaConfig.from(file);
        return new LlamaModel(file, false, config, LlamaWeights.load(file, config), repack);
    }

    /** Opens and loads a GGUF file; closing the model closes the file. */
    public static LlamaModel load(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            LlamaConfig config = LlamaConfig.from(file);
            return new LlamaModel(file, true, config, LlamaWeights.load(file, config), true);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** The weights as the file has them (views of its mapping). */
    public LlamaWeights weights() {
        return weights;
    }

    /** Bytes of the matrices copied into a repacked layout at load (0 when none were). */
    public long repackedBytes() {
        if (kernelWeights == weights) return 0;
        long n = 0;
        for (LlamaWeights.Layer l : kernelWeights.layers())
            for (WeightMatrix m : l.matrices()) if (!m.data().isMapped()) n += m.data().byteSize();
        WeightMatrix out = kernelWeights.output();
        if (out != kernelWeights.tokenEmbedding() && !out.data().isMapped()) n += out.data().byteSize();
        return n;
    }

    /** The weights the forward pass multiplies: {@link #weights()} with repacked copies where made. */
    public LlamaWeights kernelWeights() {
        return kernelWeights;
    }

    public GgufFile file() {
        return file;
    }

    /** A new sequence: KV cache, activations and threads allocated now, once. */
    public InferenceState newState(StateOptions options) {
        if (closed) throw new IllegalStateException("model is closed");
        return new LlamaState(this, options);
    }

    /** Bytes of KV cache a state with these options allocates. */
    public double kvBytesPerToken(int kvType) {
        return KvCache.bytesPerToken(config.blockCount(), config.headCountKv(), config.headDim(), kvType);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (repackArena != null) repackArena.close();
        } finally {
            if (ownsFile) file.close();
        }
    }

    /** Fails with a clear message if the model was closed (states check before each eval). */
    void checkOpen() {
        if (closed) throw new PanllamaException("the model was closed while a state was still in use");
    }
}
