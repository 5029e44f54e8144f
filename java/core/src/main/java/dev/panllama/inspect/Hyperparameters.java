package dev.panllama.inspect;

/**
 * The shape of a llama-family model, as far as parameter, KV-cache and FLOP accounting needs it.
 * Built from a {@code LlamaConfig} (the CLI does that) or typed in by hand.
 *
 * @param dim model width (embedding length)
 * @param layers transformer blocks
 * @param heads query heads
 * @param kvHeads key/value heads (== heads: MHA, 1: MQA, between: GQA)
 * @param headDim width of one head
 * @param ffn hidden width of the SwiGLU feed-forward network
 * @param vocab vocabulary size
 * @param tiedOutput the output head reuses the token embedding (it adds no parameters)
 * @param qkvBias the Q, K and V projections carry biases (qwen2)
 */
public record Hyperparameters(int dim, int layers, int heads, int kvHeads, int headDim, int ffn, int vocab,
        boolean tiedOutput, boolean qkvBias) {

    public Hyperparameters {
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kv heads", kvHeads);
        positive("head dim", headDim);
        positive("ffn", ffn);
        positive("vocab", vocab);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
    }

    /** The usual case: head dim = dim / heads, no QKV biases. */
    public static Hyperparameters of(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, boolean tied) {
        positive("heads", heads);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim (" + dim + ") must be a multiple of heads (" + heads + ")");
        }
        return new Hyperparameters(dim, layers, heads, kvHeads, dim / heads, ffn, vocab, tied, false);
    }

    /** The same model with another number of KV heads. */
    public Hyperparameters withKvHeads(int n) {
        return new Hyperparameters(dim, layers, heads, n, headDim, ffn, vocab, tiedOutput, qkvBias);
    }

    /** The same model with another FFN width. */
    public Hyperparameters withFfn(int n) {
        return new Hyperparameters(dim, layers, heads, kvHeads, headDim, n, vocab, tiedOutput, qkvBias);
    }

    /** Width of all query heads together. */
    public long qDim() {
        return (long) heads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public long kvDim() {
        return (long) kvHeads * headDim;
    }

    /** "MHA", "GQA" or "MQA". */
    public String attentionKind() {
        return kvHeads == heads ? "MHA" : kvHeads == 1 ? "MQA" : "GQA";
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be > 0, got " + v);
    }
}
