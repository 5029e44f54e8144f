package dev.panllama;

import dev.panllama.model.StateOptions;

/** Element type of a session's KV cache: smaller types fit longer contexts in the same memory. */
public enum KvCacheType {
    /** 4 bytes per element: exact, largest. */
    F32(StateOptions.KV_F32),
    /** 2 bytes per element: the default, as in llama.cpp. */
    F16(StateOptions.KV_F16),
    /** About 1.06 bytes per element (blocks of 32 int8 values and one f16 scale). */
    Q8_0(StateOptions.KV_Q8_0);

    private final int ggmlType;

    KvCacheType(int ggmlType) {
        this.ggmlType = ggmlType;
    }

    /** The ggml type id the engine uses. */
    int ggmlType() {
        return ggmlType;
    }
}
