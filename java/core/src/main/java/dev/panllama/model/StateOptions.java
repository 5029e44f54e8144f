package dev.panllama.model;

/**
 * How to size an {@link InferenceState}.
 *
 * @param contextLength tokens the KV cache holds
 * @param kvType KV cache element type as a ggml type id (1 = F16 default, 8 = Q8_0, 0 = F32)
 * @param threads compute threads (the calling thread counts as one)
 * @param batchSize prompt tokens evaluated per forward call during prefill
 */
public record StateOptions(int contextLength, int kvType, int threads, int batchSize) {
    public static final int KV_F32 = 0;
    public static final int KV_F16 = 1;
    public static final int KV_Q8_0 = 8;

    public StateOptions {
        if (contextLength <= 0) throw new IllegalArgumentException("contextLength must be > 0, got " + contextLength);
        if (kvType != KV_F32 && kvType != KV_F16 && kvType != KV_Q8_0)
            throw new IllegalArgumentException("kvType must be f32 (0), f16 (1) or q8_0 (8), got " + kvType);
        if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }

    /** F16 cache, all available processors, batches of 256. */
    public static StateOptions defaults(int contextLength) {
        return new StateOptions(contextLength, KV_F16, Runtime.getRuntime().availableProcessors(), 256);
    }
}
