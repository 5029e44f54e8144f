package dev.panllama.tokenizer;

import dev.panllama.gguf.Metadata;
import dev.panllama.tokenizer.SpecialTokenSplitter.Fragment;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SentencePiece-style BPE (Llama 1/2, Mistral, Phi-3, TinyLlama), as llama.cpp's llm_tokenizer_spm:
 * spaces become U+2581, a space is put before text that starts the input or follows a special token
 * ({@code add_space_prefix}), then adjacent pieces are merged, highest-scoring vocabulary entry
 * first, and whatever is not a token at the end falls back to {@code <0xNN>} byte tokens.
 */
public final class SpmTokenizer extends VocabTokenizer implements Tokenizer {
    private static final byte[] ESCAPED_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final int[] byteTokens = new int[256];
    private final boolean independentWords;
    private final ThreadLocal<Session> sessions = ThreadLocal.withInitial(Session::new);

    SpmTokenizer(Metadata metadata) {
        super(new Vocabulary(metadata, Vocabulary.Kind.SPM, true));
        for (int b = 0; b < 256; b++) byteTokens[b] = findByteToken(b);
        independentWords = wordsAreIndependent(vocab);
        cachePieces();
    }

    private int findByteToken(int b) {
        int id = vocab.index.get(String.format("<0x%02X>", b).getBytes(StandardCharsets.US_ASCII));
        if (id >= 0) return id;
        id = vocab.index.get(new byte[] {(byte) b}); // some vocabularies spell bytes as themselves
        return id >= 0 ? id : vocab.unk;
    }

    /** The token for a byte no piece covers: {@code <0xNN>}, else the byte itself, else {@code <unk>}. */
    private int byteToken(byte b) {
        int id = byteTokens[b & 0xFF];
        if (id < 0) {
            throw new TokenizerException(String.format(
                    "cannot encode byte 0x%02X: the vocabulary has no <0x%02X> token and no <unk>", b & 0xFF, b & 0xFF));
        }
        return id;
    }

    @Override
    boolean cleanSpaces() {
        return false;
    }

    @Override
    byte[] pieceOf(int id) {
        int attr = vocab.attrs[id];
        if ((attr & (TokenAttr.UNKNOWN | TokenAttr.CONTROL | TokenAttr.USER_DEFINED)) != 0) return vocab.bytes[id];
        if ((attr & TokenAttr.NORMAL) != 0) {
            return vocab.texts[id].replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & TokenAttr.BYTE) != 0) return byteTokenPiece(id);
        return new byte[0]; // unused / undefined tokens render as nothing
    }

    /**
     * Whether text can be cut before every U+2581 that follows another character without changing
     * the result: true when no token has U+2581 after another character, so no merge can cross such
     * a cut. Holds for Llama, Mistral and Phi-3; lets words be encoded (and cached) one by one.
     */
    private static boolean wordsAreIndependent(Vocabulary vocab) {
        for (String t : vocab.texts) {
            for (int j = t.indexOf('\u2581', 1); j > 0; j = t.indexOf('\u2581', j + 1)) {
                if (t.charAt(j - 1) != '\u2581') return false;
            }
        }
        return true;
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, IntList out) {
        Session session = sessions.get();
        boolean afterSpecial = true; // the start of the input counts as "after a special token"
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                afterSpecial = true;
            } else {
                session.tokenize(text, f.start(), f.end(), vocab.addSpacePrefix && afterSpecial, out);
                afterSpecial = false;
            }
        }
    }

    /** Per-thread scratch state and word cache. */
    private final class Session {
        private byte[] buf = new byte[64];
        private int[] start = new int[16], len = new int[16], prev = new int[16], next = new int[16];
        private final BigramQueue queue = new BigramQueue();
        private final IntList ids = new IntList(16);
        private final WordCache cache = new WordCache();

        void tokenize(String text, int from, int to, boolean prefixSpace, IntList out) {
            int n = escape(text, from, to, prefixSpace);
            if (!independentWords) {
                merge(0, n, out);
                return;
            }
            int wordStart = 0;
            for (int p = 1; p + 3 <= n; p++) {
                if (isEscapedSpace(p) && !isEscapedSpace(p - 3) && p > wordStart) {
                    word(wordStart, p, out);
                    wordStart = p;
                }
            }
            if (n > wordStart) word(wordStart, n, out);
        }

        private boolean isEscapedSpace(int p) {
            return p >= 0 && buf[p] == (byte) 0xE2 && buf[p + 1] == (byte) 0x96 && buf[p + 2] == (byte) 0x81;
        }

        private void word(int from, int to, IntList out) {
            int[] cached = cache.get(buf, from, to - from);
            if (cached == null) {
                ids.clear();
                merge(from, to, ids);
                cached = ids.toArray();
                cache.put(buf, from, to - from, cached);
            }
            out.addAll(cached);
        }

        /** llama.cpp's llm_tokenizer_spm_session.tokenize on {@code buf[from, to)}. */
        private void merge(int from, int to, IntList out) {
            int symbols = splitChars(from, to);
            if (symbols == 0) return;
            queue.clear();
            for (int i = 1; i < symbols; i++) tryAdd(i - 1, i);
            while (!queue.isEmpty()) {
                queue.poll();
                int l = queue.left, r = queue.right;
                if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != queue.size) continue; // stale
                len[l] += len[r];
                len[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) prev[next[r]] = l;
                tryAdd(prev[l], l);
                tryAdd(l, next[l]);
            }
            for (int i = 0; i != -1; i = next[i]) {
                int id = vocab.id(buf, start[i], len[i]);
                if (id >= 0) {
                    out.add(id);
                } else {
                    for (int k = start[i]; k < start[i] + len[i]; k++) out.add(byteToken(buf[k]));
                }
            }
        }

        private void tryAdd(int l, int r) {
            if (l < 0 || r < 0) return;
            int size = len[l] + len[r];
            int id = vocab.id(buf, start[l], size);
            if (id < 0) return;
            queue.push(BigramQueue.scorePriority(vocab.scores[id], l), r, size);
        }

        /** UTF-8 of the text with spaces written as U+2581; returns the byte count. */
        private int escape(String text, int from, int to, boolean prefixSpace) {
            int max = (to - from) * 3 + 3;
            if (buf.length < max) buf = new byte[max];
            int n = 0;
            if (prefixSpace) {
                System.arraycopy(ESCAPED_SPACE, 0, buf, 0, 3);
                n = 3;
            }
            for (int i = from; i < to; i++) {
                char c = text.charAt(i);
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, text.charAt(++i));
                } else if (Character.isSurrogate(c)) {
                    cp = Utf8.REPLACEMENT;
                } else if (c == ' ') {
                    cp = '\u2581';
                }
                n = Utf8.encode(cp, buf, n);
            }
            return n;
        }

        /** One symbol per UTF-8 character of {@code buf[from, to)}; returns the symbol count. */
        private int splitChars(int from, int to) {
            int n = to - from;
            if (start.length < n) {
                start = new int[n];
                len = new int[n];
                prev = new int[n];
                next = new int[n];
            }
            int count = 0;
            for (int off = from; off < to; ) {
                int l = Math.min(Utf8.sequenceLength(buf[off]), to - off);
                start[count] = off;
                len[count] = l;
                prev[count] = count - 1;
                off += l;
                next[count] = off == to ? -1 : count + 1;
                count++;
            }
            return count;
        }
    }
}
