package dev.panllama.model;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.panllama.PanllamaException;
import dev.panllama.kernels.KernelContext;
import dev.panllama.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One sequence through a {@link LlamaModel}: the Llama forward pass, layer by layer, over off-heap
 * activations sized for one batch and a KV cache sized for the whole context, all allocated here once.
 *
 * <p>A call to {@link #eval} runs the tokens in batches of {@code batchSize} (prefill through the GEMM
 * kernels; decode is the batch of one). Per batch of n tokens at positions p0..p0+n-1:
 * <pre>
 *   x = embed(tokens)
 *   for each layer:
 *     xb = rmsnorm(x) * attn_norm
 *     q, k, v = Wq xb (+bq), Wk xb (+bk), Wv xb (+bv)
 *     rope(q), rope(k); cache[p0..] = k, v
 *     x += Wo attention(q, cache)
 *     xb = rmsnorm(x) * ffn_norm
 *     x += Wdown (silu(Wgate xb) * Wup xb)
 *   logits = Woutput (rmsnorm(x) * output_norm)
 * </pre>
 * Each step is one downcall; nothing is allocated on the Java heap per token.
 */
final class LlamaState implements InferenceState {
    private final LlamaModel model;
    private final LlamaConfig c;
    private final LlamaWeights w;
    private final Arena arena = Arena.ofShared();
    private final KernelContext k;
    private final KvCache cache;
    private final int contextLength;
    private final int batch;
    private final int dim, qDim, kvDim, ffn, vocab, nHeads, nKvHeads, headDim, nRot, ropeMode;
    private final float eps, attnScale;

    // activations: one batch of rows each
    private final MemorySegment ids, pos, x, xb, q, kNew, vNew, att, proj, hb, logitsOne;
    private MemorySegment logitsBatch; // batch x vocab, allocated on the first evalAll
    private MemorySegment hbUp; // only for files whose ffn_gate and ffn_up types differ
    private final MemorySegment ropeTable;
    private final float[] logits;
    private int position;
    private boolean closed;

    LlamaState(LlamaModel model, StateOptions o) {
        this.model = model;
        this.c = model.config();
        this.w = model.kernelWeights();
        this.contextLength = o.contextLength();
        this.batch = Math.min(o.batchSize(), o.contextLength());
        this.dim = c.embeddingLength();
        this.nHeads = c.headCount();
        this.nKvHeads = c.headCountKv();
        this.headDim = c.headDim();
        this.qDim = nHeads * headDim;
        this.kvDim = nKvHeads * headDim;
        this.ffn = c.feedForwardLength();
        this.vocab = c.vocabSize();
        this.nRot = c.ropeDimensionCount();
        this.ropeMode = RopeFrequencies.neox(c) ? Kernels.ROPE_NEOX : Kernels.ROPE_NORMAL;
        this.eps = c.rmsEps();
        this.attnScale = (float) (1.0 / Math.sqrt(headDim));
        try {
            this.cache = new KvCache(arena, c.blockCount(), nKvHeads, headDim, contextLength, o.kvType());
            ids = arena.allocate(JAVA_INT, batch);
            pos = arena.allocate(JAVA_INT, batch);
            x = floats(batch * (long) dim);
            xb = floats(batch * (long) dim);
            q = floats(batch * (long) qDim);
            kNew = floats(batch * (long) kvDim);
            vNew = floats(batch * (long) kvDim);
            att = floats(batch * (long) qDim);
            proj = floats(batch * (long) dim);
            hb = floats(batch * (long) ffn);
            logitsOne = floats(vocab);
            ropeTable = floats((long) contextLength * nRot);
            float[] factors = RopeFrequencies.factors(c, w);
            MemorySegment factorSeg = null;
            if (factors != null) {
                factorSeg = floats(factors.length);
                MemorySegment.copy(factors, 0, factorSeg, JAVA_FLOAT, 0, factors.length);
            }
            Kernels.ropeTable(ropeTable, contextLength, nRot, c.ropeTheta(), factorSeg);
            this.k = KernelContext.create(o.threads());
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        this.logits = new float[vocab];
    }

    private MemorySegment floats(long n) {
        return arena.allocate(n * Float.BYTES, 64);
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public long kvCacheBytes() {
        return cache.totalBytes();
    }

    /** The cache (for reporting its type and bytes per token). */
    KvCache cache() {
        return cache;
    }

    @Override
    public void truncate(int newPosition) {
        checkOpen();
        if (newPosition < 0 || newPosition > position)
            throw new IllegalArgumentException("truncate to " + newPosition + " but the cache holds " + position + " tokens");
        position = newPosition; // rows past it are overwritten by the next eval
    }

    @Override
    public void eval(int[] tokens, int offset, int count) {
        run(tokens, offset, count, null);
    }

    @Override
    public void evalAll(int[] tokens, int offset, int count, LogitsSink sink) {
        if (sink == null) throw new NullPointerException("sink");
        if (logitsBatch == null) logitsBatch = floats((long) batch * vocab);
        run(tokens, offset, count, sink);
    }

    private void run(int[] tokens, int offset, int count, LogitsSink sink) {
        checkOpen();
        if (count <= 0) throw new IllegalArgumentException("count must be > 0, got " + count);
        if (offset < 0 || offset + count > tokens.length)
            throw new IndexOutOfBoundsException("tokens[" + offset + ".." + (offset + count) + ") of " + tokens.length);
        if (position + count > contextLength)
            throw new PanllamaException("the context is full: " + position + " tokens cached + " + count
                    + " new > context length " + contextLength);
        for (int i = offset; i < offset + count; i++) {
            int t = tokens[i];
            if (t < 0 || t >= vocab)
                throw new PanllamaException("token id " + t + " at index " + i + " is outside the vocabulary [0, " + vocab + ")");
        }
        for (int done = 0; done < count; ) {
            int n = Math.min(batch, count - done);
            forward(tokens, offset + done, n, sink, done);
            done += n;
        }
    }

    /** n tokens (n <= batch) at positions position..position+n-1. */
    private void forward(int[] tokens, int from, int n, LogitsSink sink, int sinkBase) {
        int p0 = position;
        MemorySegment.copy(tokens, from, ids, JAVA_INT, 0, n);
        for (int i = 0; i < n; i++) pos.setAtIndex(JAVA_INT, i, p0 + i);

        WeightMatrix embd = w.tokenEmbedding();
        Kernels.getRows(embd.type(), embd.data(), embd.rows(), embd.cols(), ids, n, x);

        int layers = w.layers().length;
        for (int l = 0; l < layers; l++) {
            // llama.cpp's trick: after the last layer only the rows whose logits are wanted matter, so
            // that layer computes everything but K and V for them alone (a prompt's last token)
            int outFrom = l == layers - 1 && sink == null ? n - 1 : 0;
            layer(l, p0, n, outFrom);
        }
        position = p0 + n;

        WeightMatrix out = w.output();
        if (sink == null) {
            // only the last token's logits are wanted
            MemorySegment last = rows(x, n - 1, dim);
            k.rmsnorm(last, w.outputNorm(), xb, dim, 1, eps);
            matmul(out, xb, 1, logitsOne);
            MemorySegment.copy(logitsOne, JAVA_FLOAT, 0, logits, 0, vocab);
        } else {
            k.rmsnorm(x, w.outputNorm(), xb, dim, n, eps);
            matmul(out, xb, n, logitsBatch);
            for (int i = 0; i < n; i++) {
                MemorySegment.copy(logitsBatch, JAVA_FLOAT, (long) i * vocab * Float.BYTES, logits, 0, vocab);
                sink.accept(sinkBase + i, logits);
            }
        }
    }

    /**
     * One transformer block over n tokens at positions p0.., all of whose K and V enter the cache; the
     * rest (queries, attention, projections, FFN) is computed for rows outFrom..n-1 only.
     */
    private void layer(int l, int p0, int n, int outFrom) {
        LlamaWeights.Layer L = w.layers()[l];
        int m = n - outFrom;
        MemorySegment xOut = rows(x, outFrom, dim);
        // attention
        k.rmsnorm(x, L.attnNorm(), xb, dim, n, eps);
        matmul(L.wq(), rows(xb, outFrom, dim), m, q);
        matmul(L.wk(), xb, n, kNew);
        matmul(L.wv(), xb, n, vNew);
        if (L.bq() != null) {
            addBias(q, L.bq(), qDim, m);
            addBias(kNew, L.bk(), kvDim, n);
            addBias(vNew, L.bv(), kvDim, n);
        }
        k.rope(q, m, nHeads, headDim, nRot, outFrom == 0 ? pos : pos.asSlice(4L * outFrom), ropeTable, contextLength, ropeMode);
        k.rope(kNew, n, nKvHeads, headDim, nRot, pos, ropeTable, contextLength, ropeMode);
        k.kvStore(cache.type(), cache.keys(l), cache.values(l), nKvHeads, headDim, contextLength, p0, kNew, vNew, n);
        k.attention(cache.type(), cache.keys(l), cache.values(l), nKvHeads, headDim, contextLength, q, nHeads, m,
                p0 + outFrom, attnScale, att);
        matmul(L.wo(), att, m, proj);
        k.add(xOut, proj, xOut, (long) m * dim);
        // feed-forward: SwiGLU
        k.rmsnorm(xOut, L.ffnNorm(), xb, dim, m, eps);
        WeightMatrix g = L.ffnGate(), u = L.ffnUp();
        if (g.type() == u.type()) {
            k.matmulSwiglu(g.type(), g.data(), u.data(), g.rows(), g.cols(), xb, m, hb);
        } else { // mixed-type files: two products, then the activation
            matmul(g, xb, m, hb);
            matmul(u, xb, m, hbUp());
            k.swiglu(hb, hbUp, hb, (long) m * ffn);
        }
        matmul(L.ffnDown(), hb, m, proj);
        k.add(xOut, proj, xOut, (long) m * dim);
    }

    /** Rows from..end of a row-major F32 matrix of width columns (the segment itself when from is 0). */
    private static MemorySegment rows(MemorySegment mat, int from, int width) {
        return from == 0 ? mat : mat.asSlice((long) from * width * Float.BYTES);
    }

    private MemorySegment hbUp() {
        if (hbUp == null) hbUp = floats((long) batch * ffn);
        return hbUp;
    }

    private void matmul(WeightMatrix m, MemorySegment in, int n, MemorySegment out) {
        k.matmul(m.type(), m.data(), m.rows(), m.cols(), in, n, out);
    }

    /** Adds a bias vector to each of n rows (qwen2's q/k/v biases). */
    private void addBias(MemorySegment rows, MemorySegment bias, int width, int n) {
        for (int i = 0; i < n; i++) {
            MemorySegment row = n == 1 ? rows : rows.asSlice((long) i * width * Float.BYTES, (long) width * Float.BYTES);
            k.add(row, bias, row, width);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("inference state is closed");
        model.checkOpen();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        k.close();
        arena.close();
    }
}
