package dev.panllama.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The merge table of a byte-level BPE vocabulary, keyed by small integer symbols instead of strings.
 * Every string that appears in a merge gets a symbol id; ids 0..255 are the single bytes (written
 * as their GPT-2 characters). A pair of symbols maps to its rank (the merge's line number; the first
 * line wins for duplicates, as in llama.cpp) and to the symbol it merges into.
 */
final class BpeMerges {
    private final ByteStringIndex symbolIds;
    private int[] tokenOfSymbol;
    private int symbolCount;

    // Open addressing: pair key -> rank, merged symbol.
    private final long[] pairKeys;
    private final int[] pairRanks;
    private final int[] pairResults;
    private final boolean[] used;

    BpeMerges(List<String> merges, Vocabulary vocab) {
        symbolIds = new ByteStringIndex(merges.size() * 2 + 512);
        tokenOfSymbol = new int[merges.size() + 512];
        byte[] ch = new byte[4];
        for (int b = 0; b < 256; b++) {
            int len = Utf8.encode(ByteLevel.encode(b), ch, 0);
            symbol(Arrays.copyOf(ch, len), vocab);
        }
        int cap = Integer.highestOneBit(Math.max(16, merges.size() * 2) - 1) << 1;
        pairKeys = new long[cap];
        pairRanks = new int[cap];
        pairResults = new int[cap];
        used = new boolean[cap];
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int space = m.indexOf(' ', 1);
            if (space < 0) continue; // llama.cpp records an unusable ("", "") pair
            byte[] left = m.substring(0, space).getBytes(StandardCharsets.UTF_8);
            byte[] right = m.substring(space + 1).getBytes(StandardCharsets.UTF_8);
            byte[] joined = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, joined, left.length, right.length);
            putIfAbsent(symbol(left, vocab), symbol(right, vocab), rank, symbol(joined, vocab));
        }
    }

    private int symbol(byte[] text, Vocabulary vocab) {
        int id = symbolIds.putIfAbsent(text, symbolCount);
        if (id == symbolCount) {
            if (symbolCount == tokenOfSymbol.length) tokenOfSymbol = Arrays.copyOf(tokenOfSymbol, symbolCount * 2);
            tokenOfSymbol[symbolCount++] = vocab.index.get(text);
        }
        return id;
    }

    /** The vocabulary token spelled like a symbol, or -1. */
    int token(int symbol) {
        return tokenOfSymbol[symbol];
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
        for (int i = mix(key) & mask; used[i]; i = (i + 1) & mask) {
            if (pairKeys[i] == key) return i;
        }
        return -1;
    }

    private void putIfAbsent(int left, int right, int rank, int result) {
        long key = key(left, right);
        int mask = pairKeys.length - 1;
        int i = mix(key) & mask;
        for (; used[i]; i = (i + 1) & mask) {
            if (pairKeys[i] == key) return;
        }
        used[i] = true;
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
