package dev.panllama.model;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import java.nio.file.Path;

/**
 * A Llama-family model (llama, mistral, qwen2, SmolLM, TinyLlama, ...) ready to evaluate: its config
 * and its weights as views into the GGUF mapping. Each {@link #newState} is one sequence with its own
 * KV cache, activations and thread pool; the model itself is immutable and may be shared by states
 * on different threads.
 */
public final class LlamaModel implements AutoCloseable {
    private final GgufFile file;
    private final boolean ownsFile;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private volatile boolean closed;

    private LlamaModel(GgufFile file, boolean ownsFile, LlamaConfig config, LlamaWeights weights) {
        this.file = file;
        this.ownsFile = ownsFile;
        this.config = config;
        this.weights = weights;
    }

    /**
     * Reads the config and checks every tensor. The model views {@code file}'s mapping: the caller
     * keeps the file open while the model and its states are used, and closes it afterwards.
     */
    public static LlamaModel load(GgufFile file) {
        LlamaConfig config = LlamaConfig.from(file);
        return new LlamaModel(file, false, config, LlamaWeights.load(file, config));
    }

    /** Opens and loads a GGUF file; closing the model closes the file. */
    public static LlamaModel load(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            LlamaConfig config = LlamaConfig.from(file);
            return new LlamaModel(file, true, config, LlamaWeights.load(file, config));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
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
        if (ownsFile) file.close();
    }

    /** Fails with a clear message if the model was closed (states check before each eval). */
    void checkOpen() {
        if (closed) throw new PanllamaException("the model was closed while a state was still in use");
    }
}
