package dev.panllama;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A chat on a {@link Session}: the messages so far, rendered whole with the model's chat template
 * for every turn. Because the session keeps the longest cached prefix of each prompt, a follow-up
 * turn evaluates only what is new (the closing of the last reply, the new user message and the
 * assistant opening), not the whole history.
 *
 * <pre>{@code
 * Conversation chat = session.newConversation("You are a concise assistant.");
 * chat.send("What is the capital of France?", options, t -> System.out.print(t.text()));
 * chat.send("And of Italy?", options, t -> System.out.print(t.text()));
 * }</pre>
 *
 * <p>Not thread-safe (one turn at a time, like its session). When the history no longer fits the
 * session's context, {@link #send} throws {@link PanllamaException}; drop old turns with
 * {@link #removeLast()} / {@link #clear()} or use a session with a longer context.
 */
public final class Conversation {
    private final Session session;
    private final List<ChatMessage> messages = new ArrayList<>();

    Conversation(Session session, String systemPrompt) {
        this.session = session;
        if (systemPrompt != null) messages.add(ChatMessage.system(systemPrompt));
    }

    /** The session this conversation runs on. */
    public Session session() {
        return session;
    }

    /** The messages so far, oldest first (an unmodifiable copy). */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Appends a message without generating (e.g. to restore a saved history). */
    public Conversation add(ChatMessage message) {
        messages.add(message);
        return this;
    }

    /** Removes and returns the last message. @throws IllegalStateException when there is none */
    public ChatMessage removeLast() {
        if (messages.isEmpty()) throw new IllegalStateException("the conversation is empty");
        return messages.removeLast();
    }

    /** Forgets every message but a leading system message. */
    public void clear() {
        boolean keepSystem = !messages.isEmpty() && messages.getFirst().role().equals("system");
        ChatMessage system = keepSystem ? messages.getFirst() : null;
        messages.clear();
        if (system != null) messages.add(system);
    }

    /** {@link #send(String, GenerateOptions, Consumer)} with default options and no callback. */
    public GenerationResult send(String userMessage) {
        return send(userMessage, GenerateOptions.defaults(), t -> {});
    }

    /** {@link #send(String, GenerateOptions, Consumer)} with no callback. */
    public GenerationResult send(String userMessage, GenerateOptions options) {
        return send(userMessage, options, t -> {});
    }

    /**
     * Adds {@code userMessage}, generates the assistant's reply (streamed to {@code onToken}) and
     * adds it to the history, even when cut short by a stop string, the token limit or a cancellation.
     * On an exception neither message is added.
     */
    public GenerationResult send(String userMessage, GenerateOptions options, Consumer<? super Token> onToken) {
        messages.add(ChatMessage.user(userMessage));
        try {
            GenerationResult r = session.generate(prompt(), options, onToken);
            messages.add(ChatMessage.assistant(r.text()));
            return r;
        } catch (RuntimeException e) {
            messages.removeLast();
            throw e;
        }
    }

    /**
     * Generates the next assistant message for the history as it stands (e.g. after {@link #add}
     * of a user message, or to regenerate after {@link #removeLast()}), and adds it.
     */
    public GenerationResult reply(GenerateOptions options, Consumer<? super Token> onToken) {
        GenerationResult r = session.generate(prompt(), options, onToken);
        messages.add(ChatMessage.assistant(r.text()));
        return r;
    }

    /** The token ids of the whole conversation rendered with the generation prompt. */
    private int[] prompt() {
        Model model = session.model();
        String text = model.applyChatTemplate(messages, true);
        int[] ids = model.tokenize(text, true, true);
        // templates that write the BOS text themselves would get a second BOS from the tokenizer
        int bos = model.vocab().bos();
        if (ids.length >= 2 && bos >= 0 && ids[0] == bos && ids[1] == bos) {
            int[] once = new int[ids.length - 1];
            System.arraycopy(ids, 1, once, 0, once.length);
            return once;
        }
        return ids;
    }
}
