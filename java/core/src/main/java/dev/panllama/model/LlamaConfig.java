package dev.panllama.model;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.GgufFormatException;
import dev.panllama.gguf.Metadata;
import dev.panllama.gguf.TensorInfo;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Hyperparameters of a llama-family model (llama 1/2/3/3.1/3.2, mistral, SmolLM2, TinyLlama: GGUF
 * architecture {@code llama}; Qwen2/2.5: {@code qwen2}), shared by the model, the CLI's inspect
 * and tests. The canonical constructor validates; {@link #from(GgufFile)} reads a file.
 *
 * @param architecture GGUF {@code general.architecture}: one of {@link #SUPPORTED_ARCHITECTURES}
 * @param embeddingLength model width (dim)
 * @param blockCount number of transformer layers
 * @param headCount query heads
 * @param headCountKv key/value heads (== headCount: MHA, 1: MQA, between: GQA)
 * @param headDim per-head width of queries and keys (and values)
 * @param feedForwardLength hidden width of the SwiGLU FFN
 * @param contextLength context the model was trained for
 * @param ropeTheta RoPE base frequency
 * @param ropeDimensionCount dimensions of each head that RoPE rotates (even, <= headDim)
 * @param ropeScaling context extension applied to RoPE
 * @param rmsEps epsilon of RMSNorm
 * @param vocabSize rows of the token embedding
 * @param tiedEmbeddings the output projection reuses token_embd.weight (no output.weight)
 * @param qkvBias the Q, K and V projections have biases (qwen2)
 */
public record LlamaConfig(
        String architecture,
        int embeddingLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int headDim,
        int feedForwardLength,
        int contextLength,
        float ropeTheta,
        int ropeDimensionCount,
        RopeScaling ropeScaling,
        float rmsEps,
        int vocabSize,
        boolean tiedEmbeddings,
        boolean qkvBias) {

    public static final List<String> SUPPORTED_ARCHITECTURES = List.of("llama", "qwen2");
    public static final float DEFAULT_ROPE_THETA = 10000f;

    /** How RoPE frequencies are stretched for longer contexts. */
    public enum RopeScalingType { NONE, LINEAR, YARN, LLAMA3 }

    /**
     * RoPE scaling.
     *
     * @param factor context extension factor (1 for NONE)
     * @param lowFreqFactor llama3 scaling: low frequency factor (llama 3.1: 1)
     * @param highFreqFactor llama3 scaling: high frequency factor (llama 3.1: 4)
     * @param originalContextLength context length before extension (0 when unknown)
     */
    public record RopeScaling(RopeScalingType type, float factor, float lowFreqFactor, float highFreqFactor,
            int originalContextLength) {
        public static final RopeScaling NONE = new RopeScaling(RopeScalingType.NONE, 1f, 1f, 4f, 0);

        public RopeScaling {
            Objects.requireNonNull(type, "type");
            if (!(factor > 0) || !Float.isFinite(factor)) throw invalid("rope scaling factor " + factor + " must be > 0");
            if (originalContextLength < 0) throw invalid("rope scaling original context length " + originalContextLength);
        }
    }

    public LlamaConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        if (!SUPPORTED_ARCHITECTURES.contains(architecture)) {
            throw invalid("architecture '" + architecture + "' is not supported (supported: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES) + ")");
        }
        positive("embedding length", embeddingLength);
        positive("block count", blockCount);
        positive("head count", headCount);
        positive("head count kv", headCountKv);
        positive("head dim", headDim);
        positive("feed forward length", feedForwardLength);
        positive("context length", contextLength);
        positive("rope dimension count", ropeDimensionCount);
        positive("vocab size", vocabSize);
        if (headCount % headCountKv != 0) {
            throw invalid("head count " + headCount + " is not a multiple of head count kv " + headCountKv);
        }
        if (ropeDimensionCount > headDim || ropeDimensionCount % 2 != 0) {
            throw invalid("rope dimension count " + ropeDimensionCount + " must be even and <= head dim " + headDim);
        }
        if (!(ropeTheta > 0) || !Float.isFinite(ropeTheta)) throw invalid("rope theta " + ropeTheta + " must be > 0");
        if (!(rmsEps > 0) || !Float.isFinite(rmsEps)) throw invalid("rms epsilon " + rmsEps + " must be > 0");
    }

    /** Query heads sharing one KV head (1: MHA). */
    public int groupSize() {
        return headCount / headCountKv;
    }

    /** Width of the concatenated query heads. */
    public int qDim() {
        return headCount * headDim;
    }

    /** Width of the concatenated key (or value) heads. */
    public int kvDim() {
        return headCountKv * headDim;
    }

    /** Reads the config of a file, using its tensors for tied embeddings and QKV biases, and checks them. */
    public static LlamaConfig from(GgufFile file) {
        LlamaConfig c = from(file.metadata(), file::hasTensor);
        Optional<TensorInfo> embd = file.tensor("token_embd.weight");
        if (embd.isPresent()) {
            long[] s = embd.get().shape();
            if (s.length != 2 || s[0] != c.embeddingLength || s[1] != c.vocabSize) {
                throw GgufFormatException.of(file.path(), "tensor 'token_embd.weight'", "shape "
                        + java.util.Arrays.toString(s) + " contradicts embedding length " + c.embeddingLength
                        + " and vocab size " + c.vocabSize);
            }
        }
        return c;
    }

    /**
     * Reads the config from metadata alone: assumes an untied output projection and QKV biases
     * exactly for qwen2. Prefer {@link #from(GgufFile)}.
     */
    public static LlamaConfig from(Metadata md) {
        return from(md, name -> name.equals("output.weight") || (name.equals("blk.0.attn_q.bias")
                && md.getString("general.architecture", "").equals("qwen2")));
    }

    /** Reads the config from metadata, asking {@code hasTensor} about output.weight and blk.0.attn_q.bias. */
    public static LlamaConfig from(Metadata md, Predicate<String> hasTensor) {
        String arch = md.getString("general.architecture");
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw GgufFormatException.of(md.source(), "general.architecture", "'" + arch
                    + "' is not supported (supported: " + String.join(", ", SUPPORTED_ARCHITECTURES) + ")");
        }
        String p = arch + ".";
        int dim = md.getInt(p + "embedding_length");
        int heads = md.getInt(p + "attention.head_count");
        int kvHeads = md.getInt(p + "attention.head_count_kv", heads);
        int headDim;
        if (md.has(p + "attention.key_length")) {
            headDim = md.getInt(p + "attention.key_length");
            int v = md.getInt(p + "attention.value_length", headDim);
            if (v != headDim) {
                throw GgufFormatException.of(md.source(), p + "attention.value_length", v
                        + " differs from key_length " + headDim + " (unsupported)");
            }
        } else {
            if (heads <= 0 || dim % heads != 0) {
                throw GgufFormatException.of(md.source(), p + "attention.head_count", heads
                        + " does not divide " + p + "embedding_length " + dim);
            }
            headDim = dim / heads;
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw GgufFormatException.of(md.source(), p + "attention.head_count_kv", kvHeads
                    + " does not divide " + p + "attention.head_count " + heads);
        }
        int vocab;
        if (md.has(p + "vocab_size")) {
            vocab = md.getInt(p + "vocab_size");
        } else if (md.has("tokenizer.ggml.tokens")) {
            vocab = md.arrayLength("tokenizer.ggml.tokens");
        } else {
            throw GgufFormatException.of(md.source(), p + "vocab_size", "missing, and there is no tokenizer.ggml.tokens");
        }
        int ctx = md.getInt(p + "context_length");
        try {
            return new LlamaConfig(
                    arch,
                    dim,
                    md.getInt(p + "block_count"),
                    heads,
                    kvHeads,
                    headDim,
                    md.getInt(p + "feed_forward_length"),
                    ctx,
                    md.getFloat(p + "rope.freq_base", DEFAULT_ROPE_THETA),
                    md.getInt(p + "rope.dimension_count", headDim),
                    ropeScaling(md, p),
                    md.getFloat(p + "attention.layer_norm_rms_epsilon"),
                    vocab,
                    !hasTensor.test("output.weight"),
                    hasTensor.test("blk.0.attn_q.bias"));
        } catch (GgufFormatException e) {
            throw e;
        } catch (PanllamaException e) {
            throw new GgufFormatException(md.source() + ": " + e.getMessage(), e);
        }
    }

    private static RopeScaling ropeScaling(Metadata md, String p) {
        Optional<String> type = md.findString(p + "rope.scaling.type");
        float factor = md.getFloat(p + "rope.scaling.factor", 0f);
        int origCtx = md.getInt(p + "rope.scaling.original_context_length", 0);
        if (type.isEmpty()) {
            // older files: rope.scale_linear
            float linear = md.getFloat(p + "rope.scale_linear", 1f);
            return linear == 1f ? RopeScaling.NONE : new RopeScaling(RopeScalingType.LINEAR, linear, 1f, 4f, origCtx);
        }
        RopeScalingType t = switch (type.get().toLowerCase(Locale.ROOT)) {
            case "none", "" -> RopeScalingType.NONE;
            case "linear" -> RopeScalingType.LINEAR;
            case "yarn" -> RopeScalingType.YARN;
            case "llama3" -> RopeScalingType.LLAMA3;
            default -> throw GgufFormatException.of(md.source(), p + "rope.scaling.type", "'" + type.get()
                    + "' is not supported (supported: none, linear, yarn, llama3)");
        };
        if (t == RopeScalingType.NONE) return RopeScaling.NONE;
        if (factor == 0f) factor = 1f;
        float low = md.getFloat(p + "rope.scaling.low_freq_factor", 1f);
        float high = md.getFloat(p + "rope.scaling.high_freq_factor", 4f);
        if (t == RopeScalingType.LLAMA3 && origCtx == 0) origCtx = 8192;
        return new RopeScaling(t, factor, low, high, origCtx);
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw invalid(what + " " + v + " must be > 0");
    }

    private static PanllamaException invalid(String why) {
        return new PanllamaException("invalid llama config: " + why);
    }
}
