package dev.panllama;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token (EOS, EOT, {@code <|im_end|>}, ...); it is not in the output. */
    END_OF_GENERATION,
    /** A stop string appeared; it and everything after it are not in the output. */
    STOP_STRING,
    /** {@link GenerateOptions#maxTokens()} tokens were generated. */
    MAX_TOKENS,
    /** The session's context is full. */
    CONTEXT_FULL,
    /** {@link Session#cancel()}, {@link TokenStream#cancel()} or closing the session ended it. */
    CANCELLED
}
