package dev.panllama;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A generation consumed by pulling: each {@link #next()} runs the model on the calling thread until
 * the next token's text is final. Use as an {@link Iterator} or through {@link #stream()}; close it
 * when stopping early (the session stays busy until the generation ends or is closed).
 *
 * <pre>{@code
 * try (TokenStream tokens = session.stream("Once upon a time", options)) {
 *     tokens.forEachRemaining(t -> System.out.print(t.text()));
 *     System.out.println(tokens.result().stats());
 * }
 * }</pre>
 */
public final class TokenStream implements Iterator<Token>, AutoCloseable {
    private final Generation generation;
    private Token lookahead;

    TokenStream(Generation generation) {
        this.generation = generation;
    }

    /** True when another token will come (may run the model to find out). */
    @Override
    public boolean hasNext() {
        if (lookahead == null) lookahead = generation.next();
        return lookahead != null;
    }

    /** The next token. @throws NoSuchElementException when the generation has ended */
    @Override
    public Token next() {
        if (!hasNext()) throw new NoSuchElementException("the generation has ended");
        Token t = lookahead;
        lookahead = null;
        return t;
    }

    /** The remaining tokens as a sequential stream; closing the stream closes this. */
    public Stream<Token> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    /** Asks the generation to stop after the current forward pass (any thread). */
    public void cancel() {
        generation.requestCancel();
    }

    /** Runs the generation to its end (if it has not ended) and returns the outcome. */
    public GenerationResult result() {
        while (hasNext()) next();
        return generation.result();
    }

    /**
     * Ends the generation if still running ({@link StopReason#CANCELLED}) and frees the session.
     * Idempotent. Call it from the consuming thread; from other threads use {@link #cancel()}.
     */
    @Override
    public void close() {
        generation.close();
    }
}
