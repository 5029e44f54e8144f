package dev.panllama.synthetic;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgmlType;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.GgufWriter;
import dev.panllama.gguf.MetadataValue;
import dev.panllama.gguf.Quantizer;
import dev.panllama.gguf.TensorData;
import dev.panllama.model.LlamaConfig;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Writes random-weight llama-family models of any shape (MHA, GQA, MQA; qwen2 biases) and format
 * (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, or llama.cpp's Q4_K_M / Q5_K_M mixes) with a real vocabulary
 * copied from a vocab GGUF file, for tests and benchmarks. Weights are deterministic in the seed, streamed row block by row block (a
 * TinyLlama-shape file never sits in memory) and quantized by {@link Quantizer}.
 *
 * @param config the model shape; its vocab size must match the vocab file's token count
 * @param weightType type of the attention and FFN matrices (and output.weight)
 * @param embeddingType type of token_embd.weight
 * @param seed weights depend on nothing else
 * @param vocabFile a GGUF file whose {@code tokenizer.*} keys are copied, or null for a
 *     made-up SentencePiece-style vocab (control tokens, 256 byte tokens, then "tok&lt;i&gt;")
 * @param mix per-tensor type rules on top of weightType ({@link Mix#NONE}: one type for all matrices)
 */
public record SyntheticLlama(LlamaConfig config, GgmlType weightType, GgmlType embeddingType, long seed, Path vocabFile,
                             Mix mix) {

    /**
     * A llama.cpp quantization mix ("ftype"): which matrices get more bits than the base type.
     */
    public enum Mix {
        /** every matrix in weightType, token_embd in embeddingType */
        NONE,
        /**
         * llama.cpp's LLAMA_FTYPE_MOSTLY_Q4_K_M (llama-quant.cpp, llama_tensor_get_type, for a dense
         * llama without experts): Q4_K everywhere except Q6_K for output.weight (for token_embd.weight
         * instead when the head is tied to it) and for attn_v.weight and ffn_down.weight in the layers
         * i of n where use_more_bits(i, n): i &lt; n/8 || i &gt;= 7n/8 || (i - n/8) % 3 == 2 (integer division).
         * A matrix whose rows are not whole 256-element super-blocks falls back as in llama.cpp: Q4_K to
         * Q5_0, Q5_K to Q5_1, Q6_K to Q8_0 (so small models, e.g. dim 576 or 896, are mostly Q5_0).
         * (70B-class models' Q5_K attn_v does not apply to these shapes.)
         */
        Q4_K_M,
        /** LLAMA_FTYPE_MOSTLY_Q5_K_M: {@link #Q4_K_M}'s rules with Q5_K as the base type. */
        Q5_K_M
    }

    public SyntheticLlama(LlamaConfig config, GgmlType weightType, GgmlType embeddingType, long seed, Path vocabFile) {
        this(config, weightType, embeddingType, seed, vocabFile, Mix.NONE);
    }

    public SyntheticLlama {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(mix, "mix");
        for (GgmlType t : new GgmlType[] {weightType, embeddingType}) {
            if (!Quantizer.supports(t)) {
                throw new PanllamaException("synthetic models support F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, not " + t);
            }
        }
        GgmlType base = mix == Mix.Q5_K_M ? GgmlType.Q5_K : GgmlType.Q4_K;
        if (mix != Mix.NONE && (weightType != base || embeddingType != base)) {
            throw new PanllamaException("the " + mix + " mix is based on " + base + ", not " + weightType + "/" + embeddingType);
        }
        for (long n : new long[] {config.embeddingLength(), config.feedForwardLength(), config.qDim()}) {
            // mixes fall back to 32-element blocks where rows are not whole super-blocks
            long block = mix != Mix.NONE ? 32 : Math.max(weightType.blockElems(), embeddingType.blockElems());
            if (n % block != 0) {
                throw new PanllamaException("row length " + n + " is not a multiple of the block size of "
                        + weightType + "/" + embeddingType);
            }
        }
    }

    /** The same shape with one weight type for all matrices. */
    public static SyntheticLlama of(LlamaConfig config, GgmlType type, long seed, Path vocabFile) {
        return new SyntheticLlama(config, type, type, seed, vocabFile);
    }

    /** llama.cpp's Q4_K_M mix: Q4_K, with Q6_K where {@link Mix#Q4_K_M} says. */
    public static SyntheticLlama q4KM(LlamaConfig config, long seed, Path vocabFile) {
        return new SyntheticLlama(config, GgmlType.Q4_K, GgmlType.Q4_K, seed, vocabFile, Mix.Q4_K_M);
    }

    /** llama.cpp's Q5_K_M mix: Q5_K, with Q6_K where {@link Mix#Q4_K_M} says. */
    public static SyntheticLlama q5KM(LlamaConfig config, long seed, Path vocabFile) {
        return new SyntheticLlama(config, GgmlType.Q5_K, GgmlType.Q5_K, seed, vocabFile, Mix.Q5_K_M);
    }

    /** A mix by name ("Q4_K_M", "Q5_K_M"), or one type for every matrix. */
    public static SyntheticLlama of(LlamaConfig config, String typeOrMix, long seed, Path vocabFile) {
        return switch (typeOrMix) {
            case "Q4_K_M" -> q4KM(config, seed, vocabFile);
            case "Q5_K_M" -> q5KM(config, seed, vocabFile);
            default -> of(config, GgmlType.valueOf(typeOrMix), seed, vocabFile);
        };
    }

    /** True where llama.cpp's K-quant mixes spend more bits: the first and last eighth of the layers, and every third between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /**
     * The type of a matrix: {@code role} is the tensor name without the "blk.N." prefix, {@code layer}
     * its block (-1 for token_embd / output).
     */
    public GgmlType typeOf(String role, int layer) {
        boolean embd = role.equals("token_embd.weight");
        if (mix == Mix.NONE) return embd ? embeddingType : weightType;
        int n = config.blockCount();
        boolean head = role.equals("output.weight") || (embd && config.tiedEmbeddings());
        boolean moreBits = (role.equals("attn_v.weight") || role.equals("ffn_down.weight")) && useMoreBits(layer, n);
        GgmlType t = head || moreBits ? GgmlType.Q6_K : weightType;
        long cols = role.equals("attn_output.weight") ? config.qDim()
                : role.equals("ffn_down.weight") ? config.feedForwardLength() : config.embeddingLength();
        if (cols % 256 == 0) return t;
        return switch (t) { // llama.cpp's fallback for rows that are not whole super-blocks
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            default -> GgmlType.Q8_0;
        };
    }

    /** TinyLlama 1.1B's shape: dim 2048, 22 layers, 32 heads, 4 KV heads, FFN 5632, vocab 32000. */
    public static LlamaConfig tinyLlamaShape() {
        return new LlamaConfig("llama", 2048, 22, 32, 4, 64, 5632, 2048, 10000f, 64, LlamaConfig.RopeScaling.NONE,
                1e-5f, 32000, false, false);
    }

    /** A small llama (dim 64, 2 layers, GQA 4/2, FFN 128) for tests. */
    public static LlamaConfig smallShape(int vocabSize) {
        return new LlamaConfig("llama", 64, 2, 4, 2, 16, 128, 256, 10000f, 16, LlamaConfig.RopeScaling.NONE, 1e-5f,
                vocabSize, false, false);
    }

    /**
     * A small GQA llama for K-quants, whose rows must be whole 256-element super-blocks: dim 256,
     * 4 layers, 4 heads / 2 KV heads of 64, FFN 512.
     */
    public static LlamaConfig smallKShape(int vocabSize) {
        return new LlamaConfig("llama", 256, 4, 4, 2, 64, 512, 256, 10000f, 64, LlamaConfig.RopeScaling.NONE, 1e-5f,
                vocabSize, false, false);
    }

    /**
     * A small GQA llama whose dim is not a multiple of 256 (as SmolLM2's 576 or Qwen2.5-0.5B's 896):
     * dim 192, 4 layers, 3 heads / 1 KV head of 64, FFN 512; in a K-quant mix most matrices fall back to
     * Q5_0 / Q5_1 / Q8_0 while ffn_down (rows of 512) stays a K-quant, as in those models' Q4_K_M files.
     */
    public static LlamaConfig smallFallbackShape(int vocabSize) {
        return new LlamaConfig("llama", 192, 4, 3, 1, 64, 512, 256, 10000f, 64, LlamaConfig.RopeScaling.NONE, 1e-5f,
                vocabSize, false, false);
    }

    /** Writes the model to {@code out} (atomically). */
    public void write(Path out) {
        writer().write(out);
    }

    /** A writer holding the model's metadata and (lazily generated) tensors. */
    public GgufWriter writer() {
        LlamaConfig c = config;
        String a = c.architecture();
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", a);
        w.putString("general.name", String.format(Locale.ROOT, "synthetic-%s-d%d-l%d-h%d-kv%d-%s", a,
                c.embeddingLength(), c.blockCount(), c.headCount(), c.headCountKv(),
                mix == Mix.NONE ? weightType.toString() : mix.toString()));
        w.putUInt32("general.file_type", mix == Mix.Q4_K_M ? 15 : mix == Mix.Q5_K_M ? 17 : fileType(weightType));
        if (weightType.isQuantized()) w.putUInt32("general.quantization_version", 2);
        w.putUInt32(a + ".context_length", c.contextLength());
        w.putUInt32(a + ".embedding_length", c.embeddingLength());
        w.putUInt32(a + ".block_count", c.blockCount());
        w.putUInt32(a + ".feed_forward_length", c.feedForwardLength());
        w.putUInt32(a + ".attention.head_count", c.headCount());
        w.putUInt32(a + ".attention.head_count_kv", c.headCountKv());
        if ((long) c.headDim() * c.headCount() != c.embeddingLength()) {
            w.putUInt32(a + ".attention.key_length", c.headDim());
            w.putUInt32(a + ".attention.value_length", c.headDim());
        }
        w.putFloat32(a + ".rope.freq_base", c.ropeTheta());
        w.putUInt32(a + ".rope.dimension_count", c.ropeDimensionCount());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", c.rmsEps());
        w.putUInt32(a + ".vocab_size", c.vocabSize());
        LlamaConfig.RopeScaling rs = c.ropeScaling();
        if (rs.type() != LlamaConfig.RopeScalingType.NONE) {
            w.putString(a + ".rope.scaling.type", rs.type().name().toLowerCase(Locale.ROOT));
            w.putFloat32(a + ".rope.scaling.factor", rs.factor());
            if (rs.originalContextLength() > 0) w.putUInt32(a + ".rope.scaling.original_context_length", rs.originalContextLength());
        }
        putVocab(w);

        long dim = c.embeddingLength(), q = c.qDim(), kv = c.kvDim(), ff = c.feedForwardLength();
        matrix(w, "token_embd.weight", typeOf("token_embd.weight", -1), dim, c.vocabSize(), 1.0f);
        vector(w, "output_norm.weight", dim);
        if (!c.tiedEmbeddings()) matrix(w, "output.weight", typeOf("output.weight", -1), dim, c.vocabSize(), 1.0f);
        for (int l = 0; l < c.blockCount(); l++) {
            String p = "blk." + l + ".";
            vector(w, p + "attn_norm.weight", dim);
            matrix(w, p + "attn_q.weight", typeOf("attn_q.weight", l), dim, q, 1.0f);
            matrix(w, p + "attn_k.weight", typeOf("attn_k.weight", l), dim, kv, 1.0f);
            matrix(w, p + "attn_v.weight", typeOf("attn_v.weight", l), dim, kv, 1.0f);
            if (c.qkvBias()) {
                bias(w, p + "attn_q.bias", q);
                bias(w, p + "attn_k.bias", kv);
                bias(w, p + "attn_v.bias", kv);
            }
            matrix(w, p + "attn_output.weight", typeOf("attn_output.weight", l), q, dim, 1.0f);
            vector(w, p + "ffn_norm.weight", dim);
            matrix(w, p + "ffn_gate.weight", typeOf("ffn_gate.weight", l), dim, ff, 1.0f);
            matrix(w, p + "ffn_up.weight", typeOf("ffn_up.weight", l), dim, ff, 1.0f);
            matrix(w, p + "ffn_down.weight", typeOf("ffn_down.weight", l), ff, dim, 1.0f);
        }
        return w;
    }

    private void putVocab(GgufWriter w) {
        if (vocabFile != null) {
            try (GgufFile v = GgufFile.open(vocabFile)) {
                int n = v.metadata().arrayLength("tokenizer.ggml.tokens");
                if (n != config.vocabSize()) {
                    throw new PanllamaException(vocabFile + " has " + n + " tokens but the config's vocab size is "
                            + config.vocabSize());
                }
                w.putAll(v.metadata(), "tokenizer.");
            }
            return;
        }
        int n = config.vocabSize();
        if (n < 259) throw new PanllamaException("a made-up vocab needs at least 259 tokens, not " + n);
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        types[0] = 2; // UNKNOWN
        types[1] = types[2] = 3; // CONTROL
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format(Locale.ROOT, "<0x%02X>", b));
            types[3 + b] = 6; // BYTE
        }
        for (int i = 259; i < n; i++) {
            tokens.add("tok" + i);
            types[i] = 1; // NORMAL
            scores[i] = -i;
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.put("tokenizer.ggml.scores", MetadataValue.float32Array(scores));
        w.put("tokenizer.ggml.token_type", MetadataValue.int32Array(types));
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
    }

    /** A [cols, rows] matrix of uniform values with variance 1/cols (keeps activations O(1)). */
    private void matrix(GgufWriter w, String name, GgmlType type, long cols, long rows, float gain) {
        float scale = gain * (float) Math.sqrt(3.0 / cols);
        w.addTensor(name, type, new long[] {cols, rows}, rows(name, type, cols, rows, 0f, scale));
    }

    /** A norm weight: 1 plus a little noise. */
    private void vector(GgufWriter w, String name, long n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, rows(name, GgmlType.F32, n, 1, 1f, 0.1f));
    }

    private void bias(GgufWriter w, String name, long n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, rows(name, GgmlType.F32, n, 1, 0f, 0.1f));
    }

    /** Streams rows of {@code center + uniform(-scale, scale)}, quantized, a block of rows at a time. */
    private TensorData rows(String name, GgmlType type, long cols, long rows, float center, float scale) {
        return out -> {
            SplittableRandom rnd = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
            int n = Math.toIntExact(cols);
            long rowBytes = type.rowBytes(cols);
            int rowsPerChunk = (int) Math.max(1, Math.min(rows, (1 << 20) / rowBytes));
            float[] x = new float[n];
            byte[] buf = new byte[Math.toIntExact(rowBytes * rowsPerChunk)];
            MemorySegment seg = MemorySegment.ofArray(buf);
            for (long r = 0; r < rows; r += rowsPerChunk) {
                int chunk = (int) Math.min(rowsPerChunk, rows - r);
                for (int i = 0; i < chunk; i++) {
                    for (int j = 0; j < n; j++) {
                        // 24 random bits -> [-1, 1)
                        x[j] = center + scale * ((rnd.nextInt() >> 7) * 0x1.0p-24f);
                    }
                    Quantizer.quantize(type, x, 0, n, seg, i * rowBytes);
                }
                TensorData.writeFully(out, ByteBuffer.wrap(buf, 0, (int) (chunk * rowBytes)));
            }
        };
    }

    /** llama.cpp's llama_ftype for an all-one-type model. */
    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q4_K -> 14; // LLAMA_FTYPE_MOSTLY_Q4_K_S: all Q4_K
            case Q5_K -> 16; // LLAMA_FTYPE_MOSTLY_Q5_K_S: all Q5_K
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /**
     * Command line: {@code SyntheticLlama OUT.gguf [tinyllama|small|small-k|small-192][/kvN] [TYPE] [VOCAB.gguf] [SEED]}
     * ({@code /kvN}: N KV heads instead of the shape's, e.g. {@code tinyllama/kv32} for MHA, {@code tinyllama/kv1} for MQA), e.g.
     * {@code java -cp panllama-core.jar dev.panllama.synthetic.SyntheticLlama /tmp/tl.gguf tinyllama Q4_0 vocab.gguf}.
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: SyntheticLlama OUT.gguf [tinyllama|small|small-k|small-192][/kvN] [F32|F16|BF16|Q8_0|Q4_0|Q4_1|Q5_0|Q5_1|Q4_K|Q5_K|Q6_K|Q4_K_M|Q5_K_M] [VOCAB.gguf] [SEED]");
            System.exit(2);
        }
        Path vocab = args.length > 3 && !args[3].isEmpty() && !args[3].equals("-") ? Path.of(args[3]) : null; // "-": made-up vocab
        int vocabSize = 32000;
        if (vocab != null) {
            try (GgufFile v = GgufFile.open(vocab)) {
                vocabSize = v.metadata().arrayLength("tokenizer.ggml.tokens");
            }
        }
        String shape = args.length > 1 ? args[1] : "small";
        int kvHeads = 0; // "tinyllama/kv32": the shape with another KV head count (MHA, MQA variants)
        int at = shape.indexOf("/kv");
        if (at >= 0) {
            kvHeads = Integer.parseInt(shape.substring(at + 3));
            shape = shape.substring(0, at);
        }
        LlamaConfig base = switch (shape) {
            case "tinyllama" -> tinyLlamaShape();
            case "small" -> smallShape(vocab != null ? vocabSize : 512);
            case "small-k" -> smallKShape(vocab != null ? vocabSize : 512);
            case "small-192" -> smallFallbackShape(vocab != null ? vocabSize : 512);
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
        if (kvHeads > 0 && base.headCount() % kvHeads != 0)
            throw new IllegalArgumentException(kvHeads + " KV heads do not divide " + base.headCount() + " heads");
        if ((vocab != null && base.vocabSize() != vocabSize) || kvHeads > 0) {
            base = new LlamaConfig(base.architecture(), base.embeddingLength(), base.blockCount(), base.headCount(),
                    kvHeads > 0 ? kvHeads : base.headCountKv(), base.headDim(), base.feedForwardLength(),
                    base.contextLength(), base.ropeTheta(), base.ropeDimensionCount(), base.ropeScaling(), base.rmsEps(),
                    vocab != null ? vocabSize : base.vocabSize(), base.tiedEmbeddings(), base.qkvBias());
        }
        String type = args.length > 2 ? args[2] : "Q8_0";
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        SyntheticLlama model = of(base, type, seed, vocab);
        model.write(Path.of(args[0]));
    }
}
