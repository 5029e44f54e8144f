package dev.panllama.tokenizer;

import java.util.Arrays;

/**
 * Token ids of words already encoded, looked up by a slice of a byte buffer without allocating.
 * Text repeats its words, so most lookups hit. Bounded: it starts over when full. Not thread-safe;
 * each thread has its own (see {@link VocabTokenizer}).
 */
final class WordCache {
    private static final int MAX_ENTRIES = 1 << 16;
    private static final int MAX_WORD_BYTES = 256; // longer words are rare; not worth keeping

    private final int[] slots = new int[MAX_ENTRIES * 2];
    private final int[] hashes = new int[MAX_ENTRIES];
    private final int[] offsets = new int[MAX_ENTRIES];
    private final int[] lengths = new int[MAX_ENTRIES];
    private final int[][] values = new int[MAX_ENTRIES][];
    private byte[] keyBytes = new byte[1 << 16];
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
        if (size == MAX_ENTRIES) clear();
        int h = hash(buf, off, len);
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        if (bytesUsed + len > keyBytes.length) keyBytes = Arrays.copyOf(keyBytes, keyBytes.length * 2);
        System.arraycopy(buf, off, keyBytes, bytesUsed, len);
        hashes[size] = h;
        offsets[size] = bytesUsed;
        lengths[size] = len;
        values[size] = ids;
        bytesUsed += len;
        slots[i] = ++size;
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
