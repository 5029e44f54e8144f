package dev.panllama.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The merge table of a byte-level BPE vocabulary, keyed by small integer symbols instead of strings.
 * A symbol is a string that a word can be made of while merging: a vocabulary token keeps its token
 * id as symbol id; the rare strings of the merge list that are not tokens get ids from the vocabulary
 * size up. A pair of symbols maps to its rank (the merge's line number; the first line wins for
 * duplicates, as in llama.cpp) and to the symbol it merges into.
 */
final class BpeMerges {
    private final int vocabSize;
    private final Vocabulary vocab;
    private final ByteStringIndex extraSymbols = new ByteStringIndex(64);
    private final int[] byteSymbols = new int[256];

    // Open addressing: pair key -> rank, merged symbol. A slot is empty when its rank is -1.
    private final long[] pairKeys;
    private final int[] pairRanks;
    private final int[] pairResults;

    BpeMerges(List<String> merges, Vocabulary vocab) {
        this.vocab = vocab;
        this.vocabSize = vocab.size();
        byte[] ch = new byte[4];
        for (int b = 0; b < 256; b++) {
            byteSymbols[b] = symbol(ch, 0, Utf8.encode(ByteLevel.encode(b), ch, 0));
        }
        int cap = Integer.highestOneBit(Math.max(16, merges.size() * 2) - 1) << 1;
        pairKeys = new long[cap];
        pairRanks = new int[cap];
        pairResults = new int[cap];
        Arrays.fill(pairRanks, -1);
        byte[] joined = new byte[64];
        int count = merges.size();
        for (int rank = 0; rank < count; rank++) {
            byte[] m = merges.get(rank).getBytes(StandardCharsets.UTF_8);
            int space = indexOfSpace(m);
            if (space < 0) continue; // llama.cpp records an unusable ("", "") pair
            if (joined.length < m.length) joined = new byte[m.length * 2];
            System.arraycopy(m, 0, joined, 0, space);
            System.arraycopy(m, space + 1, joined, space, m.length - space - 1);
            int left = symbol(m, 0, space);
            int right = symbol(m, space + 1, m.length - space - 1);
            putIfAbsent(left, right, rank, symbol(joined, 0, m.length - 1));
        }
    }

    /** First space at index 1 or later, as llama.cpp splits merge lines. */
    private static int indexOfSpace(byte[] m) {
        for (int i = 1; i < m.length; i++) if (m[i] == ' ') return i;
        return -1;
    }

    private int symbol(byte[] buf, int off, int len) {
        int id = vocab.id(buf, off, len);
        if (id >= 0) return id;
        return extraSymbols.putIfAbsent(Arrays.copyOfRange(buf, off, off + len), vocabSize + extraSymbols.size());
    }

    /** The symbol a single byte starts as. */
    int byteSymbol(int b) {
        return byteSymbols[b & 0xFF];
    }

    /** The vocabulary token a symbol is, or -1. */
    int token(int symbol) {
        return symbol < vocabSize ? symbol : -1;
    }

    /** Rank of merging two symbols, or -1 if they do not merge. */
    int rank(int left, int right) {
        int slot = find(left, right);
        return slot < 0 ? -1 : pairRanks[slot];
    }

    /** The symbol two symbols merge into; only valid where {@link #rank} is not -1. */
    int merged(int left, int right) {
        return pairResults[find(left, right)];
    }

    private int find(int left, int right) {
        long key = key(left, right);
        int mask = pairKeys.length - 1;
        for (int i = mix(key) & mask; pairRanks[i] >= 0; i = (i + 1) & mask) {
            if (pairKeys[i] == key) return i;
        }
        return -1;
    }

    private void putIfAbsent(int left, int right, int rank, int result) {
        long key = key(left, right);
        int mask = pairKeys.length - 1;
        int i = mix(key) & mask;
        for (; pairRanks[i] >= 0; i = (i + 1) & mask) {
            if (pairKeys[i] == key) return;
        }
        pairKeys[i] = key;
        pairRanks[i] = rank;
        pairResults[i] = result;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
