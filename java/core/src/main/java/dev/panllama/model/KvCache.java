package dev.panllama.model;

import dev.panllama.PanllamaException;
import dev.panllama.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The attention keys and values of every layer, off-heap, allocated once for the whole context.
 * Each layer has a K and a V buffer laid out {@code [n_kv_heads][max_ctx][head_dim]} of {@code type}
 * (the layout {@code pl_kv_store}/{@code pl_attention} read).
 */
public final class KvCache {
    private final int type;
    private final int kvHeads;
    private final int headDim;
    private final int maxContext;
    private final long layerBytes;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    KvCache(Arena arena, int layers, int kvHeads, int headDim, int maxContext, int type) {
        if (type == StateOptions.KV_Q8_0 && headDim % 32 != 0)
            throw new PanllamaException("a Q8_0 KV cache needs a head dimension that is a multiple of 32; this model's is "
                    + headDim + " (use F16)");
        this.type = type;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.maxContext = maxContext;
        this.layerBytes = Kernels.kvCacheBytes(type, kvHeads, headDim, maxContext);
        this.keys = new MemorySegment[layers];
        this.values = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = arena.allocate(layerBytes, 64);
            values[l] = arena.allocate(layerBytes, 64);
        }
    }

    /** Bytes one token occupies across all layers: 2 · layers · n_kv_heads · head_dim · element size. */
    public static double bytesPerToken(int layers, int kvHeads, int headDim, int type) {
        double elem = switch (type) {
            case StateOptions.KV_F32 -> 4;
            case StateOptions.KV_F16 -> 2;
            case StateOptions.KV_Q8_0 -> 34.0 / 32.0;
            default -> throw new IllegalArgumentException("KV cache type " + type);
        };
        return 2.0 * layers * kvHeads * headDim * elem;
    }

    public double bytesPerToken() {
        return bytesPerToken(keys.length, kvHeads, headDim, type);
    }

    /** Bytes of all layers' K and V at full context. */
    public long totalBytes() {
        return 2L * keys.length * layerBytes;
    }

    public int type() {
        return type;
    }

    public int maxContext() {
        return maxContext;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    long layerBytes() {
        return layerBytes;
    }

    MemorySegment keys(int layer) {
        return keys[layer];
    }

    MemorySegment values(int layer) {
        return values[layer];
    }
}
