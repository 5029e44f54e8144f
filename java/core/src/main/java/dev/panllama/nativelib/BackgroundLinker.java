package dev.panllama.nativelib;

import dev.panllama.bindings.panllama_h;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads the library and links the downcalls a generation makes on a background thread, so that
 * this one-time work overlaps what the caller does meanwhile (parsing arguments, mapping the model,
 * building the tokenizer) instead of delaying the first token.
 *
 * <p>Why: the first call of each native function links it, and a cold JVM spends some 10-20 ms per
 * function signature generating and loading the stub class (the JDK's AOT cache does not keep those
 * classes), and a generation uses fourteen functions. The work and its results are the same on any thread: class
 * initialisation is once per JVM, and a caller that needs a handle the background thread is still
 * linking waits for it. Failures are left to the caller's own first use, which reports them as before.
 */
public final class BackgroundLinker {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private BackgroundLinker() {}

    /** Starts the background thread, once per JVM; returns at once. */
    public static void start() {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(BackgroundLinker::run, "panllama-link");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            NativeLibrary.load();
            // In the order a generation first calls them: session, first forward pass, close.
            panllama_h.pl_kv_cache_bytes$handle();
            panllama_h.pl_rope_table$handle();
            panllama_h.pl_ctx_create$handle();
            panllama_h.pl_ctx_n_threads$handle();
            panllama_h.pl_type_row_bytes$handle();
            panllama_h.pl_get_rows$handle();
            panllama_h.pl_rmsnorm$handle();
            panllama_h.pl_matmul$handle();
            panllama_h.pl_rope$handle();
            panllama_h.pl_kv_store$handle();
            panllama_h.pl_attention$handle();
            panllama_h.pl_add$handle();
            panllama_h.pl_matmul_swiglu$handle();
            panllama_h.pl_ctx_destroy$handle();
        } catch (RuntimeException | Error e) {
            // The caller's first use of the library or of that function fails with the same cause.
        }
    }
}
