package dev.panllama.model;

/**
 * One sequence being evaluated by a model: its KV cache, activations and thread pool, all off-heap
 * and allocated once. The engine (LlamaModel) implements it; the public API (Session) drives it.
 *
 * <p>Not thread-safe: one state per session. Closing frees its memory; using it afterwards throws.
 */
public interface InferenceState extends AutoCloseable {

    /** Tokens already in the KV cache (the position the next token gets). */
    int position();

    /** Maximum tokens the cache holds. */
    int contextLength();

    /** Vocabulary size = length of {@link #logits()}. */
    int vocabSize();

    /**
     * Appends {@code count} tokens at {@link #position()} (batched prefill when count > 1) and
     * leaves the logits of the last one in {@link #logits()}. Throws a clear exception when the
     * tokens would not fit in the context or an id is out of range.
     */
    void eval(int[] tokens, int offset, int count);

    /** Like {@link #eval} but hands the logits of every appended token to {@code sink}, in order (perplexity). */
    void evalAll(int[] tokens, int offset, int count, LogitsSink sink);

    /** The logits after the last eval (the one per-token heap buffer; overwritten by the next eval). */
    float[] logits();

    /** Forgets cached tokens from {@code newPosition} on (0 clears), so a shared prefix is reused. */
    void truncate(int newPosition);

    /** Bytes of the KV cache (all layers, K and V) at full context. */
    long kvCacheBytes();

    @Override
    void close();

    /** Receives the logits of one evaluated token (valid only during the call). */
    @FunctionalInterface
    interface LogitsSink {
        void accept(int indexInBatch, float[] logits);
    }
}
