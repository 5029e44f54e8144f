package dev.panllama;

import java.util.Objects;

/**
 * One turn of a conversation, as chat templates see it: {@code {'role': role, 'content': content}}.
 *
 * @param role    who speaks: usually {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content what was said
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
