package dev.panllama.tokenizer;

import java.util.Arrays;

/**
 * A hash map from byte strings to non-negative ints, looked up by a slice of any buffer so that the
 * tokenizer's inner loops never allocate a key. Open addressing, keys packed into one array.
 * Filled once, then read-only (safe to share between threads).
 */
final class ByteStringIndex {
    private long[] slots;         // hash << 32 | (entry index + 1); 0 = empty. One memory access per probe.
    private int[] keyOffset = new int[16];
    private int[] keyLength = new int[16];
    private int[] values = new int[16];
    private byte[] keyBytes = new byte[256];
    private int bytesUsed;
    private int size;

    ByteStringIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        slots = new long[cap];
    }

    int size() {
        return size;
    }

    /** Value of a key, or -1. */
    int get(byte[] buf, int off, int len) {
        int h = hash(buf, off, len);
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) return -1;
            int e = (int) slot - 1;
            if ((int) (slot >>> 32) == h && keyLength[e] == len && sameBytes(keyOffset[e], buf, off, len)) {
                return values[e];
            }
        }
    }

    int get(byte[] key) {
        return get(key, 0, key.length);
    }

    /** Adds a key unless present; returns the value now stored for it. */
    int putIfAbsent(byte[] key, int value) {
        int h = hash(key, 0, key.length);
        int mask = slots.length - 1;
        int i = h & mask;
        for (; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) break;
            int e = (int) slot - 1;
            if ((int) (slot >>> 32) == h && keyLength[e] == key.length && sameBytes(keyOffset[e], key, 0, key.length)) {
                return values[e];
            }
        }
        if (size == values.length) {
            int n = size * 2;
            keyOffset = Arrays.copyOf(keyOffset, n);
            keyLength = Arrays.copyOf(keyLength, n);
            values = Arrays.copyOf(values, n);
        }
        if (bytesUsed + key.length > keyBytes.length) {
            keyBytes = Arrays.copyOf(keyBytes, Math.max(keyBytes.length * 2, bytesUsed + key.length));
        }
        System.arraycopy(key, 0, keyBytes, bytesUsed, key.length);
        keyOffset[size] = bytesUsed;
        keyLength[size] = key.length;
        values[size] = value;
        bytesUsed += key.length;
        slots[i] = ((long) h << 32) | ++size;
        if (size * 2 > slots.length) rehash();
        return value;
    }

    private void rehash() {
        long[] bigger = new long[slots.length * 2];
        int mask = bigger.length - 1;
        for (long slot : slots) {
            if (slot == 0) continue;
            int i = (int) (slot >>> 32) & mask;
            while (bigger[i] != 0) i = (i + 1) & mask;
            bigger[i] = slot;
        }
        slots = bigger;
    }

    /** Keys are short (a token), so a plain loop beats Arrays.equals' setup. */
    private boolean sameBytes(int at, byte[] b, int off, int len) {
        byte[] k = keyBytes;
        for (int i = 0; i < len; i++) {
            if (k[at + i] != b[off + i]) return false;
        }
        return true;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off, end = off + len; i < end; i++) {
            h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
