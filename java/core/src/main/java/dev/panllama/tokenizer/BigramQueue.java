package dev.panllama.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of candidate merges of two adjacent symbols. Each entry's priority is one long
 * (smaller is merged first) whose low 32 bits hold the left symbol's index, so equal priorities go
 * left to right as in llama.cpp. Reused across calls; no allocation once grown.
 */
final class BigramQueue {
    private long[] keys = new long[64];
    private int[] rights = new int[64];
    private int[] sizes = new int[64];
    private int n;

    // Fields of the entry last taken by poll().
    long key;
    int left;
    int right;
    int size;

    void clear() {
        n = 0;
    }

    boolean isEmpty() {
        return n == 0;
    }

    /** Priority for BPE: lowest merge rank first. */
    static long rankPriority(int rank, int left) {
        return ((long) rank << 32) | left;
    }

    /** Priority for SentencePiece: highest score first. */
    static long scorePriority(float score, int left) {
        int bits = Float.floatToIntBits(score);
        int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF); // orders like the float value
        return ((long) ~ascending << 32) | left;
    }

    void push(long priority, int right, int size) {
        if (n == keys.length) {
            keys = Arrays.copyOf(keys, n * 2);
            rights = Arrays.copyOf(rights, n * 2);
            sizes = Arrays.copyOf(sizes, n * 2);
        }
        int i = n++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= priority) break;
            keys[i] = keys[parent];
            rights[i] = rights[parent];
            sizes[i] = sizes[parent];
            i = parent;
        }
        keys[i] = priority;
        rights[i] = right;
        sizes[i] = size;
    }

    /** Removes the first entry and exposes it through {@link #left}, {@link #right}, {@link #size}. */
    void poll() {
        key = keys[0];
        left = (int) key;
        right = rights[0];
        size = sizes[0];
        n--;
        if (n == 0) return;
        long k = keys[n];
        int r = rights[n], s = sizes[n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && keys[c + 1] < keys[c]) c++;
            if (keys[c] >= k) break;
            keys[i] = keys[c];
            rights[i] = rights[c];
            sizes[i] = sizes[c];
            i = c;
        }
        keys[i] = k;
        rights[i] = r;
        sizes[i] = s;
    }
}
