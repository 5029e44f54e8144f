package dev.panllama.inspect;

/**
 * The FFN width that keeps a model's total parameter count unchanged when its attention becomes
 * multi-head (one KV head per query head), grouped-query or multi-query (one KV head): what the
 * Llama 2 paper does when it compares them (fewer KV heads buy a wider FFN, about ×1.3 for MQA).
 * Each value is rounded to the nearest integer.
 *
 * @param mha FFN width with {@code heads} KV heads
 * @param gqa FFN width with {@link #gqaKvHeads} KV heads
 * @param mqa FFN width with one KV head
 * @param gqaKvHeads KV heads of the grouped variant: the model's own when it uses GQA, else 8 (the
 *     paper's choice) when the heads divide by 8, else the largest divisor of the heads up to half
 *     of them ({@code heads} itself when there is none)
 */
public record FfnForEqualParams(long mha, long gqa, long mqa, int gqaKvHeads) {

    public static FfnForEqualParams of(Hyperparameters h) {
        int g = gqaKvHeads(h);
        return new FfnForEqualParams(ffnFor(h, h.heads()), ffnFor(h, g), ffnFor(h, 1), g);
    }

    /**
     * K and V take {@code 2·(dim + bias)·kvHeads·headDim} parameters per layer and the FFN
     * {@code 3·dim·ffn}; moving the difference from one to the other keeps the total.
     */
    static long ffnFor(Hyperparameters h, int kvHeads) {
        long dim = h.dim();
        long perKvHead = 2L * (dim + (h.qkvBias() ? 1 : 0)) * h.headDim();
        long numerator = 3L * dim * h.ffn() + perKvHead * (h.kvHeads() - kvHeads);
        long denominator = 3L * dim;
        return Math.floorDiv(2 * numerator + denominator, 2 * denominator); // round half up
    }

    static int gqaKvHeads(Hyperparameters h) {
        int heads = h.heads();
        if (h.kvHeads() > 1 && h.kvHeads() < heads) return h.kvHeads();
        if (heads > 8 && heads % 8 == 0) return 8;
        for (int d = heads / 2; d > 1; d--) {
            if (heads % d == 0) return d;
        }
        return heads;
    }
}
