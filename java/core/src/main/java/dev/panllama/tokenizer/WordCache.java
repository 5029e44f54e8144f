package dev.panllama.tokenizer;

import java.util.Arrays;

/**
 * Token ids of words already encoded, looked up by a slice of a byte buffer without allocating.
 * Text repeats its words, so most lookups hit. Starts small and grows (short texts and many threads
 * stay cheap); bounded: it starts over when full. Not thread-safe; each thread has its own.
 */
final class WordCache {
    private static final int MAX_ENTRIES = 1 << 16;
    private static final int MAX_WORD_BYTES = 256; // longer words are rare; not worth keeping

    private int[] slots = new int[512];   // entry index + 1; 0 = empty; at most half full
    private int[] hashes = new int[256];
    private int[] offsets = new int[256];
    private int[] lengths = new int[256];
    private int[][] values = new int[256][];
    private byte[] keyBytes = new byte[4096];
    private int bytesUsed;
    private int size;

    /** Ids cached for {@code buf[off, off+len)}, or null. */
    int[] get(byte[] buf, int off, int len) {
        int h = hash(buf, off, len);
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int e = slots[i] - 1;
            if (e < 0) return null;
            if (hashes[e] == h && lengths[e] == len
                    && Arrays.equals(keyBytes, offsets[e], offsets[e] + len, buf, off, off + len)) {
                return values[e];
            }
        }
    }

    void put(byte[] buf, int off, int len, int[] ids) {
        if (len > MAX_WORD_BYTES) return;
        if (size == values.length) {
            if (size == MAX_ENTRIES) clear();
            else grow();
        }
        int h = hash(buf, off, len);
        if (bytesUsed + len > keyBytes.length) keyBytes = Arrays.copyOf(keyBytes, keyBytes.length * 2);
        System.arraycopy(buf, off, keyBytes, bytesUsed, len);
        hashes[size] = h;
        offsets[size] = bytesUsed;
        lengths[size] = len;
        values[size] = ids;
        bytesUsed += len;
        insert(size++);
    }

    private void insert(int e) {
        int mask = slots.length - 1;
        int i = hashes[e] & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = e + 1;
    }

    private void grow() {
        int n = values.length * 2;
        hashes = Arrays.copyOf(hashes, n);
        offsets = Arrays.copyOf(offsets, n);
        lengths = Arrays.copyOf(lengths, n);
        values = Arrays.copyOf(values, n);
        slots = new int[n * 2];
        for (int e = 0; e < size; e++) insert(e);
    }

    private void clear() {
        Arrays.fill(slots, 0);
        Arrays.fill(values, null);
        size = 0;
        bytesUsed = 0;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off, end = off + len; i < end; i++) h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        return h ^ (h >>> 15);
    }
}
