package dev.panllama.inspect;

/**
 * Floating-point work per generated token, 2 FLOPs per multiply-add.
 *
 * @param weightsPerToken the matrix multiplications of all layers plus the output head (which
 *     runs whether or not it is tied); the embedding lookup is a copy and costs nothing
 * @param attentionPerCachedToken extra work per token already in the cache: a query·key dot
 *     product and a weighted value sum per head per layer, {@code 4·layers·heads·headDim}
 * @param ctxAttentionHalf the context length at which attention costs as much as the weights
 *     (rounded to the nearest token): beyond it, attention is most of the arithmetic
 */
public record FlopCounts(long weightsPerToken, long attentionPerCachedToken, long ctxAttentionHalf) {

    public static FlopCounts of(Hyperparameters h) {
        long dim = h.dim();
        long perLayer = 2 * dim * h.qDim() + 2 * dim * h.kvDim() + 3 * dim * h.ffn();
        long multiplyAdds = Math.addExact(Math.multiplyExact(perLayer, h.layers()), (long) h.vocab() * dim);
        long weights = Math.multiplyExact(2, multiplyAdds);
        long attention = 4L * h.layers() * h.heads() * h.headDim();
        return new FlopCounts(weights, attention, Math.floorDiv(2 * weights + attention, 2 * attention));
    }
}
