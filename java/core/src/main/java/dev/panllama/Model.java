package dev.panllama;

import dev.panllama.chat.ChatTemplate;
import dev.panllama.chat.RenderOptions;
import dev.panllama.model.InferenceState;
import dev.panllama.model.StateOptions;
import dev.panllama.tokenizer.Utf8StreamDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A loaded model: weights, tokenizer and chat template, loaded once and shared by any number of
 * {@link Session}s (each with its own KV cache), which may run at the same time on different threads.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("SmolLM2-135M-Instruct.Q4_1.gguf"));
 *      Session session = model.newSession()) {
 *     GenerationResult r = session.generate("Once upon a time", GenerateOptions.builder().maxTokens(50).build());
 *     System.out.println(r.text());
 * }
 * }</pre>
 *
 * <p>Closing the model closes its sessions (cancelling what they generate) and frees the
 * weights; using it afterwards throws {@link PanllamaException}. Thread-safe.
 */
public final class Model implements AutoCloseable {
    private final Engine engine;
    private final Vocabulary vocab;
    private final ModelInfo info;
    private final LazyChatTemplate chatTemplate;
    private final RenderOptions renderOptions;
    private final Set<Session> sessions = new LinkedHashSet<>(); // guarded by this
    /** Each token's text when decoded on its own, filled as tokens are generated (see {@link #pieceString}). */
    private final String[] pieceStrings;
    private volatile boolean closed;

    Model(Engine engine, Vocabulary vocab, ChatTemplate chatTemplate, ModelInfo info) {
        this(engine, vocab, new LazyChatTemplate(chatTemplate), info);
    }

    Model(Engine engine, Vocabulary vocab, LazyChatTemplate chatTemplate, ModelInfo info) {
        this.engine = engine;
        this.vocab = vocab;
        this.info = info;
        this.chatTemplate = chatTemplate;
        this.pieceStrings = new String[vocab.size()];
        int bos = vocab.bos();
        this.renderOptions = RenderOptions.DEFAULT.withSpecialTokens(
                bos >= 0 ? vocab.specialText(bos) : "", vocab.eos() >= 0 ? vocab.specialText(vocab.eos()) : "");
    }

    /**
     * Loads a GGUF model with default options.
     *
     * @throws PanllamaException when the file is missing, malformed or of an unsupported architecture
     */
    public static Model load(Path path) {
        return load(path, ModelOptions.defaults());
    }

    /**
     * Loads a GGUF model.
     *
     * @throws PanllamaException when the file is missing, malformed or of an unsupported architecture
     */
    public static Model load(Path path, ModelOptions options) {
        return ModelLoader.load(path, options);
    }

    /** Name, architecture, vocabulary size and training context of the model. */
    public ModelInfo info() {
        return info;
    }

    /** Opens a session with {@link SessionOptions#defaults()}. */
    public Session newSession() {
        return newSession(SessionOptions.defaults());
    }

    /**
     * Opens a session: allocates its KV cache and scratch buffers. Close it when done.
     *
     * @throws PanllamaException when the model is closed or the cache cannot be allocated
     */
    public Session newSession(SessionOptions options) {
        int ctx = options.contextLength() > 0 ? options.contextLength()
                : Math.min(info.trainedContextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        StateOptions stateOptions = new StateOptions(ctx, options.kvCacheType().ggmlType(), threads, options.batchSize());
        synchronized (this) {
            ensureOpen();
            InferenceState state = engine.newState(stateOptions);
            Session session = new Session(this, state, options.batchSize());
            sessions.add(session);
            return session;
        }
    }

    /**
     * Text to token ids with the model's tokenizer.
     *
     * @param addSpecial add BOS (and EOS) as the model's metadata asks
     * @param parseSpecial turn special-token text such as {@code <|im_start|>} into its id
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        ensureOpen();
        return vocab.encode(text, addSpecial, parseSpecial);
    }

    /** Token ids to text (control tokens contribute nothing; malformed UTF-8 becomes U+FFFD). */
    public String detokenize(int[] ids) {
        ensureOpen();
        Utf8StreamDecoder decoder = new Utf8StreamDecoder(null, false);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            checkTokenId(id);
            byte[] bytes = vocab.pieceBytes(id);
            decoder.acceptBytes(bytes, 0, bytes.length, sb);
        }
        return sb.append(decoder.flush()).toString();
    }

    /**
     * Renders messages with the model's chat template (or the one given in {@link ModelOptions}),
     * as the model expects its prompt. The template is compiled on first use.
     *
     * @param addGenerationPrompt end with the opening of an assistant turn, ready for the reply
     * @throws PanllamaException when the template does not compile
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        ensureOpen();
        return chatTemplate.get().render(messages, addGenerationPrompt, renderOptions);
    }

    /** The Jinja source of the chat template in use. */
    public String chatTemplateSource() {
        return chatTemplate.source();
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every open session (cancelling their generations), then frees the weights. Idempotent. */
    @Override
    public void close() {
        List<Session> open;
        synchronized (this) {
            if (closed) return;
            closed = true;
            open = new ArrayList<>(sessions);
        }
        for (Session s : open) s.close();
        engine.close();
    }

    Vocabulary vocab() {
        return vocab;
    }

    synchronized void sessionClosed(Session session) {
        sessions.remove(session);
    }

    void ensureOpen() {
        if (closed) throw new PanllamaException("The model is closed: load it again to use it");
    }

    void checkTokenId(int id) {
        if (id < 0 || id >= vocab.size())
            throw new PanllamaException("Token id " + id + " is outside the vocabulary (0.." + (vocab.size() - 1) + ")");
    }

    /**
     * The text of token {@code id} decoded on its own, given as {@code decoded} (what a UTF-8 decoder
     * with nothing pending made of its bytes, leaving nothing pending): the same String every time,
     * so that generating a token does not allocate its text again. Racing sessions may store equal
     * Strings in a slot; Strings are immutable, so any of them is fine to hand out.
     */
    String pieceString(int id, CharSequence decoded) {
        String s = pieceStrings[id];
        if (s == null) pieceStrings[id] = s = decoded.toString();
        return s;
    }

    String pieceText(int id) {
        return new String(vocab.pieceBytes(id), StandardCharsets.UTF_8);
    }
}
