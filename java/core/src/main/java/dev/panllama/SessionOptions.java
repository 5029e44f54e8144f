package dev.panllama;

/**
 * How to size a {@link Session}. Build with {@link #builder()}; {@link #defaults()} suits most uses.
 *
 * @param contextLength tokens the session's KV cache holds (prompt and generated text together);
 *     0 means the model's training context, capped at {@value #DEFAULT_MAX_CONTEXT}
 * @param kvCacheType element type of the KV cache
 * @param threads compute threads for this session (the calling thread is one of them); 0 means
 *     all available processors. Results do not depend on it.
 * @param batchSize prompt tokens evaluated per forward pass during prefill (also how often a
 *     long prefill checks for cancellation)
 */
public record SessionOptions(int contextLength, KvCacheType kvCacheType, int threads, int batchSize) {
    /** The cap on the default context length, to keep the default KV cache modest. */
    public static final int DEFAULT_MAX_CONTEXT = 4096;

    /** @throws IllegalArgumentException when a value is out of range */
    public SessionOptions {
        if (contextLength < 0) throw new IllegalArgumentException("contextLength must be >= 0, got " + contextLength);
        if (kvCacheType == null) throw new IllegalArgumentException("kvCacheType is null");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }

    /** Model's context (capped), F16 cache, all processors, batches of 256. */
    public static SessionOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder for {@link SessionOptions}; every setter returns {@code this}. */
    public static final class Builder {
        private int contextLength;
        private KvCacheType kvCacheType = KvCacheType.F16;
        private int threads;
        private int batchSize = 256;

        private Builder() {}

        /** See {@link SessionOptions#contextLength()}. */
        public Builder contextLength(int v) { contextLength = v; return this; }
        /** See {@link SessionOptions#kvCacheType()}. */
        public Builder kvCacheType(KvCacheType v) { kvCacheType = v; return this; }
        /** See {@link SessionOptions#threads()}. */
        public Builder threads(int v) { threads = v; return this; }
        /** See {@link SessionOptions#batchSize()}. */
        public Builder batchSize(int v) { batchSize = v; return this; }

        /** @throws IllegalArgumentException when a value is out of range */
        public SessionOptions build() {
            return new SessionOptions(contextLength, kvCacheType, threads, batchSize);
        }
    }
}
