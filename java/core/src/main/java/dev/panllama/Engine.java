package dev.panllama;

import dev.panllama.model.InferenceState;
import dev.panllama.model.StateOptions;

/**
 * What a {@link Model} needs from the loaded weights: a way to open inference states. The real
 * implementation wraps {@code dev.panllama.model.LlamaModel}; tests plug in a fake.
 */
interface Engine extends AutoCloseable {

    /** A fresh state (KV cache, scratch buffers) sharing the weights; must be safe to call from any thread. */
    InferenceState newState(StateOptions options);

    /** Frees the weights. Called once, after every state made here is closed. */
    @Override
    void close();
}
