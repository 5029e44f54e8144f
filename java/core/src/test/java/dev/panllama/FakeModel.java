package dev.panllama;

import dev.panllama.model.InferenceState;
import dev.panllama.model.StateOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny deterministic stand-in for the engine and tokenizer, so the API is tested without weights.
 *
 * <p>Vocabulary: ids 0..255 are single bytes, 256 is BOS, 257 is EOS, 258.. are extra multi-byte
 * pieces. The "model" is a successor table: the logits after token t put {@link #PEAK} on
 * {@code next[t]} and a fixed pseudo-random value in [-1, 1] on every other id, so greedy decoding
 * follows the table and sampling has a spread-out, known distribution.
 */
final class FakeModel {
    static final int BOS = 256;
    static final int EOS = 257;
    static final float PEAK = 6f;

    final List<byte[]> pieces = new ArrayList<>();
    final int[] next;
    final FakeEngine engine = new FakeEngine();
    /** Called before every eval with (state, count); tests use it to cancel or close mid-generation. */
    volatile EvalHook hook = (s, n) -> {};
    int trainedContext = 64;

    interface EvalHook {
        void beforeEval(FakeState state, int count);
    }

    FakeModel(String... extraPieces) {
        for (int b = 0; b < 256; b++) pieces.add(new byte[] {(byte) b});
        pieces.add(new byte[0]); // BOS
        pieces.add(new byte[0]); // EOS
        for (String p : extraPieces) pieces.add(p.getBytes(StandardCharsets.UTF_8));
        next = new int[pieces.size()];
        Arrays.fill(next, EOS);
    }

    int vocabSize() {
        return pieces.size();
    }

    int piece(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 258; i < pieces.size(); i++) if (Arrays.equals(pieces.get(i), b)) return i;
        if (b.length == 1) return b[0] & 0xFF;
        throw new IllegalArgumentException("no piece " + text);
    }

    /** Makes greedy decoding from {@code ids[0]} walk through the rest of ids, then EOS. */
    FakeModel script(int... ids) {
        for (int i = 0; i + 1 < ids.length; i++) next[ids[i]] = ids[i + 1];
        next[ids[ids.length - 1]] = EOS;
        return this;
    }

    /** BOS, then the UTF-8 bytes of {@code text} one per token, then EOS. */
    FakeModel scriptBytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length + 1];
        ids[0] = BOS;
        for (int i = 0; i < b.length; i++) ids[i + 1] = b[i] & 0xFF;
        return script(ids);
    }

    /** The logits the fake produces after {@code last}. */
    float[] logitsAfter(int last) {
        float[] l = new float[vocabSize()];
        for (int j = 0; j < l.length; j++) l[j] = (float) Math.sin(last * 131.0 + j * 7.0);
        l[next[last]] = PEAK;
        return l;
    }

    Model model() {
        return new Model(engine, new FakeVocab(), dev.panllama.chat.ChatTemplate.chatMl(), new ModelInfo("fake", "fake", vocabSize(), trainedContext));
    }

    final class FakeVocab implements Vocabulary {
        @Override public int size() { return vocabSize(); }

        @Override public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int off = addSpecial ? 1 : 0;
            int[] ids = new int[b.length + off];
            if (addSpecial) ids[0] = BOS;
            for (int i = 0; i < b.length; i++) ids[i + off] = b[i] & 0xFF;
            return ids;
        }

        @Override public byte[] pieceBytes(int id) { return pieces.get(id).clone(); }

        @Override public boolean isEndOfGeneration(int id) { return id == EOS; }

        @Override public String specialText(int id) {
            return id == BOS ? "<s>" : id == EOS ? "</s>" : new String(pieces.get(id), StandardCharsets.UTF_8);
        }

        @Override public int bos() { return BOS; }

        @Override public int eos() { return EOS; }
    }

    final class FakeEngine implements Engine {
        final List<FakeState> states = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override public InferenceState newState(StateOptions options) {
            if (closed) throw new IllegalStateException("engine closed");
            FakeState s = new FakeState(options);
            states.add(s);
            return s;
        }

        @Override public void close() {
            for (FakeState s : states) if (!s.closed) throw new AssertionError("engine closed before its states");
            closed = true;
        }
    }

    final class FakeState implements InferenceState {
        final StateOptions options;
        final int[] tokens;
        int position;
        float[] logits;
        volatile boolean closed;
        final AtomicInteger evaluated = new AtomicInteger();
        final AtomicInteger evalCalls = new AtomicInteger();
        private final AtomicInteger inside = new AtomicInteger();

        FakeState(StateOptions options) {
            this.options = options;
            this.tokens = new int[options.contextLength()];
            this.logits = new float[vocabSize()];
        }

        private void check() {
            if (closed) throw new IllegalStateException("fake state used after close");
        }

        @Override public int position() { check(); return position; }
        @Override public int contextLength() { return tokens.length; }
        @Override public int vocabSize() { return FakeModel.this.vocabSize(); }

        @Override public void eval(int[] ids, int offset, int count) {
            check();
            if (inside.getAndIncrement() != 0) throw new AssertionError("one state used by two threads at once");
            try {
                hook.beforeEval(this, count);
                check();
                if (count <= 0) throw new IllegalArgumentException("count " + count);
                if (position + count > tokens.length) throw new IllegalArgumentException("context overflow");
                for (int i = 0; i < count; i++) {
                    int id = ids[offset + i];
                    if (id < 0 || id >= vocabSize()) throw new IllegalArgumentException("bad id " + id);
                    tokens[position++] = id;
                }
                // a little work, so concurrent sessions really interleave
                double spin = 0;
                for (int i = 0; i < 2000; i++) spin += Math.sqrt(i + position);
                if (spin < 0) throw new AssertionError();
                logits = logitsAfter(tokens[position - 1]);
                evaluated.addAndGet(count);
                evalCalls.incrementAndGet();
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override public void evalAll(int[] ids, int offset, int count, LogitsSink sink) {
            throw new UnsupportedOperationException();
        }

        @Override public float[] logits() { check(); return logits; }

        @Override public void truncate(int newPosition) {
            check();
            if (newPosition < 0 || newPosition > position) throw new IllegalArgumentException("truncate " + newPosition);
            position = newPosition;
        }

        @Override public long kvCacheBytes() { return 1234; }

        @Override public void close() {
            if (closed) throw new AssertionError("state closed twice");
            closed = true;
        }
    }
}
