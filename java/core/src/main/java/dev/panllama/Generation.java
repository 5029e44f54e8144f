package dev.panllama;

import dev.panllama.model.InferenceState;
import dev.panllama.sampling.Sampler;
import dev.panllama.tokenizer.Utf8StreamDecoder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One generation as a step machine: each {@link #next()} runs forward passes (a prefill chunk or
 * one decode step, each under the session lock) until a token's text is final. Pull-based, so the
 * callback, iterator and blocking styles all share it and no thread is started.
 *
 * <p>Text release: a token's decoded text is held while it ends in an unfinished UTF-8 character
 * or in text that could begin a stop string; held tokens are handed out, in order, once their
 * text is decided. Stop strings are searched in the held text only, which by construction
 * contains any stop string that could still appear.
 */
final class Generation {
    private final Session session;
    private final Model model;
    private final Vocabulary vocab;
    private final InferenceState state;
    private final GenerateOptions options;
    private final int[] prompt;
    private final Sampler sampler;
    private final StopStrings stops;
    private final Utf8StreamDecoder utf8 = new Utf8StreamDecoder(null, false); // bytes in, whole characters out
    private final StringBuilder pieceText = new StringBuilder(16);
    private final HeldTokens held = new HeldTokens();
    private final StringBuilder heldText = new StringBuilder();
    private final ArrayDeque<Token> ready = new ArrayDeque<>();
    private final List<Token> emitted;
    private final StringBuilder text;
    private final int[] one = new int[1];
    private final int[] altIds;
    private final float[] altLogprobs;
    private final String[] matchedStop = new String[1];
    private volatile boolean cancelRequested;

    // progress (touched only by the consuming thread, under the session lock)
    private int prefillPosition = -1;
    private boolean prefilled;
    private boolean finished;
    private StopReason stopReason;
    private String stopString;
    private int cachedPrompt;
    private int generated;
    private final long startNanos;
    private long prefillStart;
    private long prefillEnd;
    private long firstToken = -1;
    private long end;

    Generation(Session session, Model model, int[] prompt, GenerateOptions options, long startNanos) {
        this.session = session;
        this.model = model;
        this.vocab = model.vocab();
        this.state = session.state();
        this.options = options;
        this.prompt = prompt;
        this.sampler = new Sampler(options.sampling(), session.state().vocabSize());
        this.stops = new StopStrings(options.stop());
        this.altIds = new int[options.topLogprobs()];
        this.altLogprobs = new float[options.topLogprobs()];
        this.startNanos = startNanos;
        // Room for the expected output up front (bounded), so that tokens do not regrow the arrays.
        int expected = Math.clamp(options.maxTokens() > 0 ? options.maxTokens()
                : (long) session.contextLength() - prompt.length, 16, 4096);
        this.emitted = new ArrayList<>(expected);
        this.text = new StringBuilder(4 * expected);
    }

    /** Asks the generation to end before its next forward pass. Any thread. */
    void requestCancel() {
        cancelRequested = true;
    }

    /** The next token whose text is final, or null when the generation has ended. */
    Token next() {
        while (ready.isEmpty() && !finished) step();
        return ready.poll();
    }

    /** Ends the generation now if it is still running. */
    void close() {
        if (finished) return;
        synchronized (session.lock) {
            if (!finished) finish(StopReason.CANCELLED, true);
        }
        ready.clear();
    }

    GenerationResult result() {
        if (!finished) throw new IllegalStateException("the generation has not ended");
        long genStart = prefilled ? prefillEnd : end;
        GenerationStats stats = new GenerationStats(prompt.length, cachedPrompt, generated,
                Duration.ofNanos((prefilled ? prefillEnd : end) - (prefillPosition >= 0 ? prefillStart : end)),
                Duration.ofNanos(end - genStart),
                firstToken < 0 ? Duration.ZERO : Duration.ofNanos(firstToken - startNanos));
        return new GenerationResult(text.toString(), emitted, stopReason, Optional.ofNullable(stopString),
                sampler.seed(), stats);
    }

    private void step() {
        synchronized (session.lock) {
            if (finished) return;
            if (cancelRequested || session.closedForGeneration()) {
                finish(StopReason.CANCELLED, true);
                return;
            }
            try {
                if (!prefilled) prefillChunk();
                else decodeOne();
            } catch (RuntimeException e) {
                finished = true;
                stopReason = StopReason.CANCELLED;
                end = System.nanoTime();
                session.finished(this);
                throw e;
            }
        }
    }

    private void prefillChunk() {
        if (prefillPosition < 0) {
            prefillStart = System.nanoTime();
            cachedPrompt = session.reusePrefix(prompt);
            prefillPosition = cachedPrompt;
        }
        int n = Math.min(session.batchSize(), prompt.length - prefillPosition);
        session.eval(prompt, prefillPosition, n);
        prefillPosition += n;
        if (prefillPosition == prompt.length) {
            prefilled = true;
            prefillEnd = System.nanoTime();
            sampler.acceptAll(prompt, 0, prompt.length); // llama.cpp penalises repeats of the prompt too
        }
    }

    private void decodeOne() {
        int id = sampler.sample(state.logits());
        if (firstToken < 0) firstToken = System.nanoTime();
        generated++;
        sampler.accept(id);
        if (!options.ignoreEos() && vocab.isEndOfGeneration(id)) {
            finish(StopReason.END_OF_GENERATION, true);
            return;
        }
        float logprob = sampler.lastLogprob(options.logprobSource());
        boolean clean = !utf8.hasPending();
        pieceText.setLength(0);
        vocab.decodePiece(id, utf8, pieceText);
        // a token decoded on its own has the same text every time: share one String per id
        String piece = clean && !utf8.hasPending() ? model.pieceString(id, pieceText) : pieceText.toString();
        held.add(id, piece, logprob, alternatives());
        heldText.append(piece);
        if (!stops.isEmpty()) {
            int at = stops.find(heldText, matchedStop);
            if (at >= 0) {
                releaseBefore(at);
                stopString = matchedStop[0];
                finish(StopReason.STOP_STRING, false);
                return;
            }
        }
        release(heldText.length() - stops.heldSuffix(heldText), utf8.hasPending());
        if (options.maxTokens() > 0 && generated >= options.maxTokens()) {
            finish(StopReason.MAX_TOKENS, true);
            return;
        }
        if (state.position() >= session.contextLength()) {
            finish(StopReason.CONTEXT_FULL, true);
            return;
        }
        one[0] = id;
        session.eval(one, 0, 1);
    }

    private List<TokenAlternative> alternatives() {
        if (altIds.length == 0) return List.of();
        int n = sampler.topAlternatives(options.logprobSource(), altIds.length, altIds, altLogprobs);
        TokenAlternative[] out = new TokenAlternative[n];
        for (int i = 0; i < n; i++) out[i] = new TokenAlternative(altIds[i], model.pieceText(altIds[i]), altLogprobs[i]);
        return List.of(out);
    }

    /** Hands out whole held tokens while their text lies within the first {@code releasable} chars. */
    private void release(int releasable, boolean holdLast) {
        int budget = releasable;
        while (!held.isEmpty()) {
            String t = held.firstText();
            if (t.length() > budget || (holdLast && held.size() == 1)) break;
            budget -= t.length();
            heldText.delete(0, t.length());
            emitFirst(t);
        }
    }

    /** A stop string starts at {@code stopAt}: hand out the text before it, drop the rest. */
    private void releaseBefore(int stopAt) {
        int budget = stopAt;
        while (!held.isEmpty() && budget > 0) {
            String t = held.firstText();
            int take = Math.min(t.length(), budget);
            budget -= take;
            emitFirst(t.substring(0, take));
        }
        held.clear();
        heldText.setLength(0);
    }

    private void finish(StopReason reason, boolean flush) {
        if (flush) {
            String tail = utf8.flush();
            while (!held.isEmpty()) {
                String t = held.firstText();
                emitFirst(held.size() == 1 && !tail.isEmpty() ? t + tail : t);
            }
            heldText.setLength(0);
        }
        finished = true;
        stopReason = reason;
        end = System.nanoTime();
        session.finished(this);
    }

    /** Hands out the oldest held token with this text, and drops it from the held ones. */
    private void emitFirst(String releasedText) {
        Token t = new Token(held.firstId(), releasedText, held.firstLogprob(), held.firstAlternatives());
        held.removeFirst();
        ready.addLast(t);
        emitted.add(t);
        text.append(releasedText);
    }
}
