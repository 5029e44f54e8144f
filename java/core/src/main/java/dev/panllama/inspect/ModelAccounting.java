package dev.panllama.inspect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a model's parameters, memory and arithmetic go, computed exactly from its shape (no
 * weights read). The weight bytes come from the file's tensor table when there is one, or
 * are estimated for an f16 model (f32 norms and biases) from the shape alone.
 *
 * @param shape the model's hyperparameters
 * @param params parameter counts
 * @param kv KV cache costs at the chosen context and cache type
 * @param ffnForEqualParams FFN widths that keep the total for MHA, GQA and MQA
 * @param flops FLOPs per token
 * @param weightBytesByType bytes of tensor data per ggml type name (lower case, e.g. q4_1), largest first
 * @param weightBytesMeasured true when the weight bytes come from a file's tensors
 */
public record ModelAccounting(Hyperparameters shape, ParameterCounts params, KvCacheCosts kv,
        FfnForEqualParams ffnForEqualParams, FlopCounts flops, Map<String, Long> weightBytesByType,
        boolean weightBytesMeasured) {

    public ModelAccounting {
        Objects.requireNonNull(shape);
        weightBytesByType = Collections.unmodifiableMap(sortedBySize(weightBytesByType));
    }

    /** Accounting with the weight bytes measured from a file (type name to bytes). */
    public static ModelAccounting of(Hyperparameters h, KvType kvType, int contextLength, Map<String, Long> weightBytes) {
        return new ModelAccounting(h, ParameterCounts.of(h), KvCacheCosts.of(h, kvType, contextLength),
                FfnForEqualParams.of(h), FlopCounts.of(h), weightBytes, true);
    }

    /** Accounting for a model stored in f16 (norms and biases in f32), from its shape alone. */
    public static ModelAccounting estimate(Hyperparameters h, KvType kvType, int contextLength) {
        ParameterCounts p = ParameterCounts.of(h);
        long small = p.norm() + (h.qkvBias() ? (long) h.layers() * (h.qDim() + 2 * h.kvDim()) : 0);
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put("f16", Math.multiplyExact(p.total() - small, 2));
        bytes.put("f32", small * 4);
        return new ModelAccounting(h, p, KvCacheCosts.of(h, kvType, contextLength), FfnForEqualParams.of(h),
                FlopCounts.of(h), bytes, false);
    }

    /** All weight bytes. */
    public long weightBytes() {
        long sum = 0;
        for (long b : weightBytesByType.values()) sum = Math.addExact(sum, b);
        return sum;
    }

    /** Weights plus the KV cache at full context: the memory a run needs, activations aside. */
    public long runBytesAtCtx() {
        return Math.addExact(weightBytes(), kv.bytesAtCtx());
    }

    private static Map<String, Long> sortedBySize(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
