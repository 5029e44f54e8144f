package dev.panllama;

import dev.panllama.model.InferenceState;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One conversation's worth of state on a {@link Model}: a KV cache of {@link #contextLength()}
 * tokens. Generates with a streaming callback ({@link #generate(String, GenerateOptions, Consumer)}),
 * an iterator or {@link java.util.stream.Stream} ({@link #stream}), or a blocking call
 * ({@link #generate(String, GenerateOptions)}).
 *
 * <p>Prompt caching: every generation keeps the longest prefix its prompt shares with the tokens
 * already in the cache and evaluates only the rest, so a prompt that extends the previous one
 * (a chat turn, a follow-up question) costs only its new tokens.
 *
 * <p>One generation at a time per session; sessions on the same model run concurrently. Another
 * thread may call {@link #cancel()} or {@link #close()} at any time. Closing frees the cache;
 * using a closed session throws {@link PanllamaException}.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final InferenceState state;
    private final int contextLength;
    private final int batchSize;
    /** Guards the state and the cache mirror; held for one forward pass at a time. */
    final Object lock = new Object();
    private final int[] cached; // the tokens whose keys and values are in the cache, in order
    private int cachedCount;
    private boolean stateClosed;
    private final AtomicReference<Generation> active = new AtomicReference<>();
    private volatile boolean closed;

    Session(Model model, InferenceState state, int batchSize) {
        this.model = model;
        this.state = state;
        this.contextLength = state.contextLength();
        this.batchSize = batchSize;
        this.cached = new int[contextLength];
    }

    /** The model this session runs. */
    public Model model() {
        return model;
    }

    /** Tokens the KV cache holds: prompt and generated tokens together may not exceed it. */
    public int contextLength() {
        return contextLength;
    }

    /** Tokens currently in the KV cache (reusable by the next prompt that starts with them). */
    public int cachedTokens() {
        synchronized (lock) {
            return cachedCount;
        }
    }

    /** Bytes of the KV cache at full context. */
    public long kvCacheBytes() {
        ensureOpen();
        return state.kvCacheBytes();
    }

    /** Generates from {@code prompt} with {@link GenerateOptions#defaults()}, blocking until done. */
    public GenerationResult generate(String prompt) {
        return generate(prompt, GenerateOptions.defaults());
    }

    /** Generates from {@code prompt}, blocking until done. */
    public GenerationResult generate(String prompt, GenerateOptions options) {
        return generate(prompt, options, token -> {});
    }

    /**
     * Generates from {@code prompt}, handing each token to {@code onToken} on this thread as soon as
     * its text is final, and returns when done. An exception thrown by {@code onToken} ends the
     * generation and propagates.
     *
     * @throws PanllamaException when the session is closed or busy, or the prompt does not fit the context
     */
    public GenerationResult generate(String prompt, GenerateOptions options, Consumer<? super Token> onToken) {
        long t0 = System.nanoTime();
        return run(start(encode(prompt, options), options, t0), onToken);
    }

    /** Like {@link #generate(String, GenerateOptions, Consumer)} with a prompt of token ids. */
    public GenerationResult generate(int[] promptTokens, GenerateOptions options, Consumer<? super Token> onToken) {
        long t0 = System.nanoTime();
        return run(start(promptTokens.clone(), options, t0), onToken);
    }

    /**
     * Starts a generation whose tokens are produced on the consuming thread as the returned stream
     * is iterated. Close it (try-with-resources) when stopping early: until then the session is busy.
     *
     * @throws PanllamaException when the session is closed or busy, or the prompt does not fit the context
     */
    public TokenStream stream(String prompt, GenerateOptions options) {
        long t0 = System.nanoTime();
        return new TokenStream(start(encode(prompt, options), options, t0));
    }

    /** Like {@link #stream(String, GenerateOptions)} with a prompt of token ids. */
    public TokenStream stream(int[] promptTokens, GenerateOptions options) {
        long t0 = System.nanoTime();
        return new TokenStream(start(promptTokens.clone(), options, t0));
    }

    /** A new, empty chat on this session. */
    public Conversation newConversation() {
        ensureOpen();
        return new Conversation(this, null);
    }

    /** A new chat on this session that starts with a system message. */
    public Conversation newConversation(String systemPrompt) {
        ensureOpen();
        return new Conversation(this, systemPrompt);
    }

    /**
     * Cancels the running generation, if any, from any thread: it ends after the current forward
     * pass with {@link StopReason#CANCELLED}, keeping the text generated so far. No effect when idle.
     */
    public void cancel() {
        Generation g = active.get();
        if (g != null) g.requestCancel();
    }

    /** Empties the KV cache (the next prompt is evaluated from scratch). */
    public void clearCache() {
        ensureOpen();
        synchronized (lock) {
            if (active.get() != null) throw new PanllamaException("Cannot clear the cache while this session is generating");
            truncateCache(0);
        }
    }

    /** True once {@link #close()} ran (directly or by closing the model). */
    public boolean isClosed() {
        return closed;
    }

    /** Cancels a running generation, waits for its current forward pass, frees the KV cache. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cancel();
        synchronized (lock) {
            if (!stateClosed) {
                stateClosed = true;
                state.close();
            }
        }
        model.sessionClosed(this);
    }

    // ---- used by Generation (always under lock) ----

    InferenceState state() {
        return state;
    }

    int batchSize() {
        return batchSize;
    }

    /** Keeps the longest cached prefix shared with {@code prompt}, leaving at least one prompt token to evaluate. */
    int reusePrefix(int[] prompt) {
        int n = Math.min(cachedCount, prompt.length - 1);
        int common = 0;
        while (common < n && cached[common] == prompt[common]) common++;
        truncateCache(common);
        return common;
    }

    void truncateCache(int n) {
        state.truncate(n);
        cachedCount = n;
    }

    /** Evaluates tokens and records them as cached; on failure forgets the whole cache (its state is unknown). */
    void eval(int[] tokens, int offset, int count) {
        try {
            state.eval(tokens, offset, count);
        } catch (RuntimeException e) {
            try {
                truncateCache(0);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        System.arraycopy(tokens, offset, cached, cachedCount, count);
        cachedCount += count;
    }

    boolean closedForGeneration() {
        return closed || model.isClosed();
    }

    void finished(Generation g) {
        active.compareAndSet(g, null);
    }

    // ---- internals ----

    private int[] encode(String prompt, GenerateOptions options) {
        ensureOpen();
        return model.vocab().encode(prompt, options.addSpecial(), options.parseSpecial());
    }

    private Generation start(int[] prompt, GenerateOptions options, long startNanos) {
        ensureOpen();
        if (prompt.length == 0)
            throw new PanllamaException("The prompt is empty: give at least one token (this model adds no BOS token)");
        if (prompt.length > contextLength)
            throw new PanllamaException("The prompt is " + prompt.length + " tokens but the context holds " + contextLength
                    + ": shorten the prompt or use a larger context (-c/--ctx in the CLI, SessionOptions.contextLength in Java)");
        for (int id : prompt) model.checkTokenId(id);
        Generation g = new Generation(this, model, prompt, options, startNanos);
        if (!active.compareAndSet(null, g))
            throw new PanllamaException("This session is already generating: one generation at a time per session "
                    + "(close an unfinished TokenStream, or open another session)");
        return g;
    }

    private static GenerationResult run(Generation g, Consumer<? super Token> onToken) {
        try {
            for (Token t; (t = g.next()) != null; ) onToken.accept(t);
        } finally {
            g.close();
        }
        return g.result();
    }

    private void ensureOpen() {
        model.ensureOpen();
        if (closed) throw new PanllamaException("The session is closed: open a new one with Model.newSession()");
    }
}
