package dev.panllama.tokenizer;

import dev.panllama.gguf.Metadata;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The token table of a GGUF file and everything llama.cpp derives from it at load time: special
 * token ids (with the same defaults and the same detection by text), attributes, the set of
 * end-of-generation tokens and the list of tokens that are matched in raw text before splitting.
 */
final class Vocabulary {
    private static final System.Logger LOG = System.getLogger(Vocabulary.class.getName());
    static final String KEY = "tokenizer.ggml.";

    /** Tokenizer family: decides default special ids and flags, as llama.cpp does. */
    enum Kind { SPM, BPE }

    final Kind kind;
    final String[] texts;
    final byte[][] bytes;
    final float[] scores;
    final int[] attrs;
    final ByteStringIndex index;

    final int bos, eos, eot, eom, unk, sep, pad, mask;
    final int fimPre, fimSuf, fimMid, fimPad, fimRep, fimSep;
    final boolean addBos, addEos, addSpacePrefix;
    private final BitSet eog = new BitSet();
    /** Control, user-defined and unknown tokens, longest first: what is searched for in raw text. */
    final int[] specialTokens;

    /**
     * @param defaultAddBos llama.cpp's default for {@code add_bos_token} when the key is absent
     *                      (true for SPM and for a few BPE pre-tokenizers such as llama3)
     */
    Vocabulary(Metadata md, Kind kind, boolean defaultAddBos) {
        this.kind = kind;
        List<String> tokenList = requireStrings(md, KEY + "tokens");
        int n = tokenList.size();
        if (n == 0) throw new TokenizerException("tokenizer.ggml.tokens is empty");
        texts = new String[n];
        bytes = new byte[n][];
        index = new ByteStringIndex(n);
        for (int i = 0; i < n; i++) {
            String t = tokenList.get(i);
            if (t.isEmpty()) {
                LOG.log(Level.WARNING, "empty token at index {0}", i);
                t = "[EMPTY_" + i + "]";
            }
            texts[i] = t;
            bytes[i] = t.getBytes(StandardCharsets.UTF_8);
            int prev = index.putIfAbsent(bytes[i], i);
            if (prev != i) {
                throw new TokenizerException("duplicate token in vocabulary: '" + t + "' has ids " + prev + " and " + i);
            }
        }
        scores = readScores(md, n);
        attrs = readAttrs(md, n);

        // Defaults first, then metadata (ids outside the vocabulary are ignored with a warning).
        boolean spm = kind == Kind.SPM;
        bos = specialId(md, "bos_token_id", spm ? 1 : 11, n);
        eos = specialId(md, "eos_token_id", spm ? 2 : 11, n);
        unk = specialId(md, "unknown_token_id", spm ? 0 : -1, n);
        sep = specialId(md, "seperator_token_id", -1, n);
        pad = specialId(md, "padding_token_id", -1, n);
        mask = specialId(md, "mask_token_id", -1, n);
        int eotId = specialId(md, "eot_token_id", -1, n);
        int eomId = specialId(md, "eom_token_id", -1, n);
        // The deprecated prefix/suffix/middle keys are read last, so they win, as in llama.cpp.
        int fPre = specialId(md, "prefix_token_id", specialId(md, "fim_pre_token_id", -1, n), n);
        int fSuf = specialId(md, "suffix_token_id", specialId(md, "fim_suf_token_id", -1, n), n);
        int fMid = specialId(md, "middle_token_id", specialId(md, "fim_mid_token_id", -1, n), n);
        int fPad = specialId(md, "fim_pad_token_id", -1, n);
        int fRep = specialId(md, "fim_rep_token_id", -1, n);
        int fSep = specialId(md, "fim_sep_token_id", -1, n);

        addBos = md.has(KEY + "add_bos_token") ? md.getBool(KEY + "add_bos_token") : defaultAddBos;
        addEos = md.has(KEY + "add_eos_token") && md.getBool(KEY + "add_eos_token");
        addSpacePrefix = md.has(KEY + "add_space_prefix") ? md.getBool(KEY + "add_space_prefix") : spm;
        if (addBos && bos < 0) throw new TokenizerException("add_bos_token is true, but bos_token_id is not set");
        if (addEos && eos < 0) throw new TokenizerException("add_eos_token is true, but eos_token_id is not set");

        // Special tokens found by their text where the file does not name them (llama.cpp's workaround).
        eot = eotId >= 0 ? eotId : findControl(KnownTokens.EOT);
        eom = eomId >= 0 ? eomId : findControl(KnownTokens.EOM);
        fimPre = fPre >= 0 ? fPre : findControl(KnownTokens.FIM_PRE);
        fimSuf = fSuf >= 0 ? fSuf : findControl(KnownTokens.FIM_SUF);
        fimMid = fMid >= 0 ? fMid : findControl(KnownTokens.FIM_MID);
        fimPad = fPad >= 0 ? fPad : findControl(KnownTokens.FIM_PAD);
        fimRep = fRep >= 0 ? fRep : findControl(KnownTokens.FIM_REP);
        fimSep = fSep >= 0 ? fSep : findControl(KnownTokens.FIM_SEP);

        for (int i = 0; i < n; i++) {
            if ((attrs[i] & TokenAttr.CONTROL) != 0 && texts[i].contains("unused")) attrs[i] |= TokenAttr.UNUSED;
        }
        collectEndOfGeneration();
        specialTokens = collectSpecialTokens();
        applyModelQuirks(md);
    }

    int size() {
        return texts.length;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && eog.get(id);
    }

    /** Id of a token by its exact text, or -1. */
    int id(byte[] utf8, int off, int len) {
        return index.get(utf8, off, len);
    }

    boolean has(int id, int attr) {
        return (attrs[id] & attr) != 0;
    }

    private void collectEndOfGeneration() {
        for (int id : new int[] {fimPad, fimRep, fimSep}) {
            if (id >= 0) eog.set(id);
        }
        for (String text : KnownTokens.EOG) {
            int id = index.get(text.getBytes(StandardCharsets.UTF_8));
            if (id >= 0) {
                eog.set(id);
                markControl(id);
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) eog.set(id);
        }
        // o200k_harmony / solar-open: "<|end|>" ends a message, not the generation.
        int end = index.get("<|end|>".getBytes(StandardCharsets.UTF_8));
        boolean hasReturn = eogHas("<|return|>"), hasCall = eogHas("<|call|>") || eogHas("<|calls|>");
        if (end >= 0 && eog.get(end) && hasCall && (hasReturn || eogHas("<|flush|>"))) {
            eog.clear(end);
            attrs[end] = TokenAttr.USER_DEFINED;
        }
        // gemma4 / paddleocr: "</s>" is not an end of generation next to "<|tool_response>".
        int s = index.get("</s>".getBytes(StandardCharsets.UTF_8));
        if (s >= 0 && eog.get(s) && eogHas("<|tool_response>")) {
            eog.clear(s);
            attrs[s] = TokenAttr.NORMAL;
        }
        // gpt-oss: these are always rendered.
        for (String t : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) {
            int id = index.get(t.getBytes(StandardCharsets.UTF_8));
            if (id >= 0) attrs[id] = TokenAttr.USER_DEFINED;
        }
    }

    private boolean eogHas(String text) {
        int id = index.get(text.getBytes(StandardCharsets.UTF_8));
        return id >= 0 && eog.get(id);
    }

    private int[] collectSpecialTokens() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            if ((attrs[i] & (TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN)) != 0) ids.add(i);
        }
        ids.sort(Comparator.comparingInt((Integer i) -> -bytes[i].length).thenComparingInt(i -> i));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Per-model attribute fixes llama.cpp applies by model name (Phi-3 strips spaces after its special tokens). */
    private void applyModelQuirks(Metadata md) {
        String name = md.has("general.name") ? md.getString("general.name").toLowerCase(Locale.ROOT) : "";
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialTokens) attrs[id] |= TokenAttr.RSTRIP;
            setRstrip("</s>", true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) setRstrip(t, false);
        }
    }

    private void setRstrip(String text, boolean on) {
        int id = index.get(text.getBytes(StandardCharsets.UTF_8));
        if (id < 0) return;
        attrs[id] = on ? attrs[id] | TokenAttr.RSTRIP : attrs[id] & ~TokenAttr.RSTRIP;
    }

    /** First token (in the list's order) whose text is in the list; it is marked as control. */
    private int findControl(List<String> candidates) {
        for (String text : candidates) {
            int id = index.get(text.getBytes(StandardCharsets.UTF_8));
            if (id >= 0) {
                markControl(id);
                return id;
            }
        }
        return -1;
    }

    private void markControl(int id) {
        if ((attrs[id] & TokenAttr.CONTROL) == 0) {
            LOG.log(Level.DEBUG, "control-looking token {0} ''{1}'' was not control-type; treating it as control",
                    id, texts[id]);
            attrs[id] |= TokenAttr.CONTROL;
        }
    }

    private static int specialId(Metadata md, String name, int defaultId, int n) {
        int id = defaultId >= n ? -1 : defaultId;
        String key = KEY + name;
        if (!md.has(key)) return id;
        long v = md.getLong(key);
        if (v < 0 || v >= n) {
            LOG.log(Level.WARNING, "bad special token: {0} = {1}, using default id {2}", key, v, id);
            return id;
        }
        return (int) v;
    }

    private static List<String> requireStrings(Metadata md, String key) {
        if (!md.has(key)) throw new TokenizerException("cannot find tokenizer vocab in model file (" + key + ")");
        return md.getStringArray(key);
    }

    private static float[] readScores(Metadata md, int n) {
        String key = KEY + "scores";
        if (!md.has(key)) return new float[n];
        float[] s;
        try {
            s = md.getFloatArray(key);
        } catch (RuntimeException notFloats) {
            int[] is = md.getIntArray(key);
            s = new float[is.length];
            for (int i = 0; i < is.length; i++) s[i] = is[i];
        }
        if (s.length < n) {
            throw new TokenizerException("Index out of array bounds for scores (" + s.length + " < " + n + ")");
        }
        return s.length == n ? s : Arrays.copyOf(s, n);
    }

    private static int[] readAttrs(Metadata md, int n) {
        int[] attrs = new int[n];
        String key = KEY + "token_type";
        if (!md.has(key)) {
            Arrays.fill(attrs, TokenAttr.NORMAL);
            return attrs;
        }
        int[] types = md.getIntArray(key);
        if (types.length < n) {
            throw new TokenizerException("Index out of array bounds for toktypes (" + types.length + " < " + n + ")");
        }
        for (int i = 0; i < n; i++) attrs[i] = TokenAttr.fromGgufType(types[i]);
        return attrs;
    }
}
