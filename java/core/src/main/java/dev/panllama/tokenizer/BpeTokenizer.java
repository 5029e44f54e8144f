package dev.panllama.tokenizer;

import dev.panllama.gguf.Metadata;
import dev.panllama.tokenizer.SpecialTokenSplitter.Fragment;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Byte-level BPE (GPT-2, Llama 3, SmolLM, Qwen 2, StarCoder, DeepSeek, Falcon, ...), as llama.cpp's
 * llm_tokenizer_bpe: the text is cut into words by the pre-tokenizer named in
 * {@code tokenizer.ggml.pre}, each word's UTF-8 bytes are written as GPT-2 characters and merged by
 * merge rank. Words repeat, so their ids are cached.
 */
public final class BpeTokenizer extends VocabTokenizer implements Tokenizer {
    private static final System.Logger LOG = System.getLogger(BpeTokenizer.class.getName());

    private final PreTokenizer preTokenizer;
    private final BpeMerges merges;
    private final ThreadLocal<Session> sessions = ThreadLocal.withInitial(Session::new);

    BpeTokenizer(Metadata metadata) {
        this(metadata, resolvePreTokenizer(metadata));
    }

    private BpeTokenizer(Metadata metadata, PreTokenizer pre) {
        super(new Vocabulary(metadata, Vocabulary.Kind.BPE, pre.addBos()));
        this.preTokenizer = pre;
        String key = Vocabulary.KEY + "merges";
        if (!metadata.has(key)) throw new TokenizerException("cannot find tokenizer merges in model file (" + key + ")");
        this.merges = new BpeMerges(metadata.getStringArray(key), vocab);
        cachePieces();
    }

    private static PreTokenizer resolvePreTokenizer(Metadata md) {
        String key = Vocabulary.KEY + "pre";
        if (!md.has(key)) {
            LOG.log(Level.WARNING, "missing pre-tokenizer type ({0}), using ''default'': "
                    + "generation quality will be degraded; consider regenerating the model", key);
            return PreTokenizers.find(PreTokenizers.DEFAULT).orElseThrow();
        }
        String name = md.getString(key);
        return PreTokenizers.find(name).orElseThrow(() -> new TokenizerException(
                "unknown pre-tokenizer type '" + name + "' (" + key + "); supported: "
                        + String.join(", ", PreTokenizers.names())));
    }

    /** The name of the pre-tokenizer in use. */
    String preTokenizerName() {
        return preTokenizer.name();
    }

    @Override
    boolean cleanSpaces() {
        return preTokenizer.cleanSpaces();
    }

    @Override
    byte[] pieceOf(int id) {
        int attr = vocab.attrs[id];
        if ((attr & (TokenAttr.UNKNOWN | TokenAttr.CONTROL | TokenAttr.USER_DEFINED)) != 0) return vocab.bytes[id];
        if ((attr & TokenAttr.NORMAL) != 0) return ByteLevel.decodeToken(vocab.texts[id]);
        if ((attr & TokenAttr.BYTE) != 0) return byteTokenPiece(id);
        return new byte[0];
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, IntList out) {
        Session session = sessions.get();
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
            } else {
                session.encodeText(text, f.start(), f.end(), out);
            }
        }
    }

    /** Per-thread scratch state and word cache. */
    private final class Session {
        private byte[] raw = new byte[64];
        private byte[] encoded = new byte[128];
        private int[] sym = new int[64], len = new int[64], prev = new int[64], next = new int[64];
        private final BigramQueue queue = new BigramQueue();
        private final IntList ids = new IntList(16);
        private final WordCache cache = new WordCache();

        void encodeText(String text, int from, int to, IntList out) {
            SplitText split = new SplitText(Utf8.codepoints(text, from, to));
            IntList words = preTokenizer.split(split);
            int pos = 0;
            for (int w = 0; w < words.size(); w++) {
                int count = words.get(w);
                int n = utf8(split.cps, pos, count);
                pos += count;
                int[] cached = cache.get(raw, 0, n);
                if (cached == null) {
                    cached = encodeWord(n);
                    cache.put(raw, 0, n, cached);
                }
                out.addAll(cached);
            }
        }

        /** Ids of the word whose UTF-8 is the first {@code n} bytes of {@link #raw}. */
        private int[] encodeWord(int n) {
            if (preTokenizer.ignoreMerges()) {
                int whole = vocab.id(encoded, 0, byteLevel(n));
                if (whole >= 0) return new int[] {whole};
            }
            if (sym.length < n) {
                sym = new int[n];
                len = new int[n];
                prev = new int[n];
                next = new int[n];
            }
            for (int i = 0; i < n; i++) {
                sym[i] = merges.byteSymbol(raw[i]);
                len[i] = 1;
                prev[i] = i - 1;
                next[i] = i + 1 == n ? -1 : i + 1;
            }
            queue.clear();
            for (int i = 1; i < n; i++) tryAdd(i - 1, i);
            while (!queue.isEmpty()) {
                queue.poll();
                int l = queue.left, r = queue.right;
                if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != queue.size) continue; // stale
                sym[l] = merges.merged(sym[l], sym[r]);
                len[l] += len[r];
                len[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) prev[next[r]] = l;
                tryAdd(prev[l], l);
                tryAdd(l, next[l]);
            }
            ids.clear();
            for (int i = 0; n > 0 && i != -1; i = next[i]) {
                int id = merges.token(sym[i]);
                if (id >= 0) {
                    ids.add(id);
                    continue;
                }
                // Not a token: llama.cpp looks up each byte of the GPT-2 spelling alone, which only
                // finds the printable ASCII ones.
                for (int k = i; k < i + len[i]; k++) {
                    int c = ByteLevel.encode(raw[k]);
                    if (c < 0x80) {
                        encoded[0] = (byte) c;
                        int single = vocab.id(encoded, 0, 1);
                        if (single >= 0) ids.add(single);
                    }
                }
            }
            return ids.toArray();
        }

        private void tryAdd(int l, int r) {
            if (l < 0 || r < 0) return;
            int rank = merges.rank(sym[l], sym[r]);
            if (rank < 0) return;
            queue.push(BigramQueue.rankPriority(rank, l), r, len[l] + len[r]);
        }

        /** UTF-8 of the code points into {@link #raw}; returns the byte count. */
        private int utf8(int[] cps, int from, int count) {
            if (raw.length < count * 4) raw = new byte[count * 4];
            int n = 0;
            for (int i = from; i < from + count; i++) n = Utf8.encode(cps[i], raw, n);
            return n;
        }

        /** GPT-2 spelling of the first {@code n} bytes of {@link #raw} into {@link #encoded}; returns its length. */
        private int byteLevel(int n) {
            if (encoded.length < n * 2) encoded = new byte[n * 2];
            int m = 0;
            for (int i = 0; i < n; i++) m = Utf8.encode(ByteLevel.encode(raw[i]), encoded, m);
            return m;
        }
    }
}
