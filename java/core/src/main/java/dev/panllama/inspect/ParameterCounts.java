package dev.panllama.inspect;

/**
 * Where a model's parameters live, summed over all layers. A tied output head counts 0 (it is
 * the embedding). Norms are the two RMSNorm weights per layer plus the final one.
 *
 * @param perLayer parameters of one transformer block: attention, FFN and its two norms
 */
public record ParameterCounts(long embedding, long output, long attnQ, long attnK, long attnV, long attnO,
        long ffnGate, long ffnUp, long ffnDown, long norm, long perLayer) {

    /** Exact counts for a model shape. */
    public static ParameterCounts of(Hyperparameters h) {
        long dim = h.dim();
        long l = h.layers();
        long bias = h.qkvBias() ? 1 : 0;
        long embedding = (long) h.vocab() * dim;
        return new ParameterCounts(
                embedding,
                h.tiedOutput() ? 0 : embedding,
                Math.multiplyExact(l, dim * h.qDim() + bias * h.qDim()),
                Math.multiplyExact(l, dim * h.kvDim() + bias * h.kvDim()),
                Math.multiplyExact(l, dim * h.kvDim() + bias * h.kvDim()),
                Math.multiplyExact(l, h.qDim() * dim),
                Math.multiplyExact(l, dim * h.ffn()),
                Math.multiplyExact(l, dim * h.ffn()),
                Math.multiplyExact(l, (long) h.ffn() * dim),
                l * 2 * dim + dim,
                dim * h.qDim() + 2 * dim * h.kvDim() + bias * (h.qDim() + 2 * h.kvDim()) + h.qDim() * dim
                        + 3 * dim * h.ffn() + 2 * dim);
    }

    public long attnTotal() {
        return attnQ + attnK + attnV + attnO;
    }

    public long ffnTotal() {
        return ffnGate + ffnUp + ffnDown;
    }

    public long total() {
        return embedding + output + attnTotal() + ffnTotal() + norm;
    }
}
