package dev.panllama.model;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TensorInfo;
import dev.panllama.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Every tensor of a Llama-family model, as views into the GGUF file's mapping, checked against the
 * config: a tensor with the wrong type or shape is a clear error naming it, what was expected and
 * what the file has, before any kernel reads it.
 *
 * @param tokenEmbedding {@code token_embd.weight}: vocab rows of dim
 * @param layers the transformer blocks, in order
 * @param outputNorm {@code output_norm.weight} (F32, dim)
 * @param output the output head: {@code output.weight}, or {@code token_embd.weight} when tied
 * @param ropeFreqFactors {@code rope_freqs.weight} (F32, n_rot/2) for llama3-style RoPE scaling, or null
 */
public record LlamaWeights(WeightMatrix tokenEmbedding, Layer[] layers, MemorySegment outputNorm, WeightMatrix output,
                           MemorySegment ropeFreqFactors) {

    /**
     * One transformer block. Biases are null unless the architecture has them (qwen2).
     */
    public record Layer(MemorySegment attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv,
                        MemorySegment bq, MemorySegment bk, MemorySegment bv, WeightMatrix wo,
                        MemorySegment ffnNorm, WeightMatrix ffnGate, WeightMatrix ffnUp, WeightMatrix ffnDown) {
        /** The seven matrices, in file order of use. */
        public WeightMatrix[] matrices() {
            return new WeightMatrix[] {wq, wk, wv, wo, ffnGate, ffnUp, ffnDown};
        }
    }

    /**
     * ggml types pl_matmul takes as weights (F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, BF16): exactly
     * the kernel table's entries, so an unsupported file fails here, at load, not at the first token.
     */
    static final Set<Integer> MATMUL_TYPES = Set.of(0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 30);

    private static final int F32 = 0;

    /** Resolves and validates every tensor the forward pass reads. */
    public static LlamaWeights load(GgufFile file, LlamaConfig c) {
        long dim = c.embeddingLength();
        long qDim = (long) c.headCount() * c.headDim();
        long kvDim = (long) c.headCountKv() * c.headDim();
        long ffn = c.feedForwardLength();
        long vocab = c.vocabSize();

        WeightMatrix embd = matrix(file, "token_embd.weight", vocab, dim);
        Layer[] layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            boolean bias = c.qkvBias();
            layers[i] = new Layer(
                    vector(file, p + "attn_norm.weight", dim),
                    matrix(file, p + "attn_q.weight", qDim, dim),
                    matrix(file, p + "attn_k.weight", kvDim, dim),
                    matrix(file, p + "attn_v.weight", kvDim, dim),
                    bias ? vector(file, p + "attn_q.bias", qDim) : null,
                    bias ? vector(file, p + "attn_k.bias", kvDim) : null,
                    bias ? vector(file, p + "attn_v.bias", kvDim) : null,
                    matrix(file, p + "attn_output.weight", dim, qDim),
                    vector(file, p + "ffn_norm.weight", dim),
                    matrix(file, p + "ffn_gate.weight", ffn, dim),
                    matrix(file, p + "ffn_up.weight", ffn, dim),
                    matrix(file, p + "ffn_down.weight", dim, ffn));
        }
        MemorySegment outNorm = vector(file, "output_norm.weight", dim);
        // A file without output.weight ties the head to the embedding (llama.cpp does the same).
        WeightMatrix output = file.tensor("output.weight").isPresent()
                ? matrix(file, "output.weight", vocab, dim)
                : embd;
        MemorySegment freqs = file.tensor("rope_freqs.weight").isPresent()
                ? vector(file, "rope_freqs.weight", c.ropeDimensionCount() / 2)
                : null;
        return new LlamaWeights(embd, layers, outNorm, output, freqs);
    }

    /**
     * These weights with every matrix the active kernel path multiplies faster in another layout
     * ({@link Kernels#repackType}: Q4_0/Q4_1/Q5_0/Q5_1/Q4_K/Q5_K/Q6_K interleaved 8 rows per block on
     * AVX2/AVX-512, as llama.cpp repacks at load) copied into that layout in {@code arena}. The embedding table keeps its rows
     * (they are looked up one by one), so a head tied to it is kept too. The copied matrices are then
     * released from this process's memory ({@link MemorySegment#unload}; the OS keeps the file's pages
     * cached), so the copies replace those pages instead of doubling them; the small vectors (norms,
     * biases) are copied as well, since touching one would map back the large page-cache folios of the
     * matrices around it.
     *
     * @return {@code this} when nothing needs repacking
     */
    public LlamaWeights repacked(Arena arena) {
        boolean any = false;
        for (Layer l : layers)
            for (WeightMatrix m : l.matrices()) any |= Kernels.repackType(m.type()) != m.type();
        if (!any && (output == tokenEmbedding || Kernels.repackType(output.type()) == output.type())) return this;
        // the vectors first: once the matrices are released, nothing reads the file around them
        MemorySegment[][] vec = new MemorySegment[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            vec[i] = new MemorySegment[] {copy(l.attnNorm, arena), copy(l.bq, arena), copy(l.bk, arena), copy(l.bv, arena),
                copy(l.ffnNorm, arena)};
        }
        MemorySegment outNorm = copy(outputNorm, arena), freqs = copy(ropeFreqFactors, arena);
        // Matrices are copied in parallel (the copy is bound by page faults on both sides), each released
        // as soon as it is copied (peak: the copies plus a matrix per thread), and all of them once more
        // at the end: reading one matrix maps back page-cache folios of its neighbours.
        final int per = 7; // matrices per layer, in Layer.matrices() order; then the head
        WeightMatrix[] todo = new WeightMatrix[layers.length * per + 1], done = new WeightMatrix[todo.length];
        for (int i = 0; i < layers.length; i++) System.arraycopy(layers[i].matrices(), 0, todo, i * per, per);
        todo[todo.length - 1] = output;
        List<MemorySegment> released = Collections.synchronizedList(new ArrayList<>());
        IntStream.range(0, todo.length).parallel().forEach(t -> done[t] =
                t == todo.length - 1 && output == tokenEmbedding ? output : repack(todo[t], arena, released));
        Layer[] out = new Layer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            MemorySegment[] v = vec[i];
            int b = i * per;
            out[i] = new Layer(v[0], done[b], done[b + 1], done[b + 2], v[1], v[2], v[3], done[b + 3], v[4], done[b + 4],
                    done[b + 5], done[b + 6]);
        }
        WeightMatrix head = done[todo.length - 1];
        for (MemorySegment m : released) m.unload();
        return new LlamaWeights(tokenEmbedding, out, outNorm, head, freqs);
    }

    private static WeightMatrix repack(WeightMatrix m, Arena arena, List<MemorySegment> released) {
        int to = Kernels.repackType(m.type());
        if (to == m.type()) return m;
        MemorySegment dst = Kernels.allocateWeights(Kernels.matrixBytes(to, m.rows(), m.cols()), arena);
        Kernels.repack(m.type(), m.data(), m.rows(), m.cols(), to, dst);
        if (m.data().isMapped()) {
            m.data().unload();
            released.add(m.data());
        }
        return new WeightMatrix(m.name(), to, m.rows(), m.cols(), dst);
    }

    private static MemorySegment copy(MemorySegment v, Arena arena) {
        return v == null ? null : arena.allocate(v.byteSize(), 64).copyFrom(v);
    }

    /** Bytes of all weights (what the mapping must page in). */
    public long totalBytes() {
        long n = tokenEmbedding.data().byteSize() + outputNorm.byteSize();
        if (output != tokenEmbedding) n += output.data().byteSize();
        for (Layer l : layers) {
            n += l.attnNorm.byteSize() + l.ffnNorm.byteSize();
            for (WeightMatrix m : new WeightMatrix[] {l.wq, l.wk, l.wv, l.wo, l.ffnGate, l.ffnUp, l.ffnDown})
                n += m.data().byteSize();
            for (MemorySegment b : new MemorySegment[] {l.bq, l.bk, l.bv}) if (b != null) n += b.byteSize();
        }
        return n;
    }

    private static TensorInfo require(GgufFile file, String name) {
        return file.tensor(name).orElseThrow(() -> new PanllamaException(
                "model file has no tensor '" + name + "', which a llama model needs"));
    }

    private static WeightMatrix matrix(GgufFile file, String name, long rows, long cols) {
        TensorInfo t = require(file, name);
        long[] s = t.shape();
        boolean ok = s.length == 2 && s[0] == cols && s[1] == rows;
        if (!ok)
            throw new PanllamaException("tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected [" + cols + ", " + rows + "] (ggml order) for this model's config");
        int type = t.type().id();
        if (!MATMUL_TYPES.contains(type))
            throw new PanllamaException("tensor '" + name + "' has type " + t.type()
                    + ", which the matmul kernels do not support (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K)");
        // a row is whole blocks: K-quants pack 256 elements per super-block
        if (cols % t.type().blockElems() != 0)
            throw new PanllamaException("tensor '" + name + "' has type " + t.type() + ", whose blocks hold "
                    + t.type().blockElems() + " elements, but its rows have " + cols
                    + " (not a multiple): this model's shape cannot use " + t.type());
        return new WeightMatrix(name, type, rows, cols, file.data(t));
    }

    private static MemorySegment vector(GgufFile file, String name, long n) {
        TensorInfo t = require(file, name);
        long[] s = t.shape();
        long elems = 1;
        for (long d : s) elems *= d;
        // norms are 1-D, but some converters write [n, 1]
        if (elems != n || s[0] != n)
            throw new PanllamaException("tensor '" + name + "' has shape " + Arrays.toString(s) + ", expected ["
                    + n + "]");
        if (t.type().id() != F32)
            throw new PanllamaException("tensor '" + name + "' has type " + t.type() + ", expected F32");
        return file.data(t);
    }
}
