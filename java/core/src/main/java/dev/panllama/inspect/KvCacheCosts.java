package dev.panllama.inspect;

/**
 * What the KV cache costs: K and V rows of {@code kvHeads × headDim} values per layer per token.
 *
 * @param type element type of the cache
 * @param contextLength tokens the cache is sized for
 * @param bytesPerToken bytes one cached token takes, all layers, K and V
 * @param bytesAtCtx bytes of the whole cache at {@code contextLength}
 * @param mhaBytesPerToken bytes per token if every query head had its own KV head
 * @param mqaBytesPerToken bytes per token with one shared KV head
 */
public record KvCacheCosts(KvType type, int contextLength, long bytesPerToken, long bytesAtCtx,
        long mhaBytesPerToken, long mqaBytesPerToken) {

    public static KvCacheCosts of(Hyperparameters h, KvType type, int contextLength) {
        if (contextLength <= 0) throw new IllegalArgumentException("context length must be > 0, got " + contextLength);
        long perToken = perToken(h, h.kvHeads(), type);
        return new KvCacheCosts(type, contextLength, perToken, Math.multiplyExact(perToken, contextLength),
                perToken(h, h.heads(), type), perToken(h, 1, type));
    }

    private static long perToken(Hyperparameters h, int kvHeads, KvType type) {
        return 2L * h.layers() * type.rowBytes((long) kvHeads * h.headDim());
    }
}
