package dev.panllama.sampling;

import java.util.Arrays;

/**
 * The working set of the sampler chain: parallel arrays of token ids, logits and probabilities,
 * sized to the vocabulary once and reused for every token (no allocation per token).
 *
 * <p>Sorting packs (logit, id) into one {@code long} whose natural order is "logit descending,
 * id ascending", so a primitive sort or heap does the work and the pair is decoded back from the
 * key: no boxing, no comparator, no scratch arrays.
 */
final class Candidates {
    final int[] ids;
    final float[] logits;
    final float[] probs;
    private final long[] keys;
    int size;
    /** True when entries 0..size are in descending logit order. */
    boolean sorted;
    /** True while the arrays still hold every token in id order (ids[i] == i), as after {@link #load}. */
    boolean identity;

    Candidates(int capacity) {
        ids = new int[capacity];
        logits = new float[capacity];
        probs = new float[capacity];
        keys = new long[capacity];
    }

    /** Every token, in id order; NaN logits become -infinity so they can never be chosen. */
    void load(float[] source) {
        int n = source.length;
        for (int i = 0; i < n; i++) {
            float v = source[i];
            ids[i] = i;
            logits[i] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
        }
        size = n;
        sorted = false;
        identity = true;
    }

    /** Sorts all candidates, most likely first. */
    void sortDescending() {
        if (sorted) return;
        for (int i = 0; i < size; i++) keys[i] = key(logits[i], ids[i]);
        Arrays.sort(keys, 0, size);
        unpack(size);
    }

    /** Keeps the k most likely candidates, sorted (a bounded heap: O(n log k)). */
    void keepTop(int k) {
        if (k >= size) {
            sortDescending();
            return;
        }
        if (!sorted) {
            selectTop(k);
            unpack(k);
        }
        size = k;
    }

    /**
     * Keeps the smallest set of most likely candidates whose probabilities sum to at least
     * {@code p} (and at least {@code minKeep}), sorted. Looks at the top 256, then 2048, ... before
     * falling back to a full sort, since the nucleus is usually far smaller than the vocabulary.
     */
    void keepTopP(float p, int minKeep) {
        if (!sorted) {
            float max = logits[argmax()];
            double sum = 0;
            for (int i = 0; i < size; i++) sum += (float) Math.exp(logits[i] - max);
            float inv = (float) (1.0 / sum);
            for (int k = Math.min(256, size); k < size; k *= 8) {
                selectTop(k);
                double cumulative = 0;
                for (int i = 0; i < k; i++) {
                    cumulative += (float) Math.exp(logitOf(keys[i]) - max) * inv;
                    if (cumulative >= p && i + 1 >= minKeep) {
                        unpack(i + 1);
                        size = i + 1;
                        return;
                    }
                }
            }
            sortDescending();
        }
        softmax();
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += probs[i];
            if (cumulative >= p && i + 1 >= minKeep) {
                size = i + 1;
                return;
            }
        }
    }

    /** Puts the keys of the k most likely candidates, sorted, in keys[0..k) without touching the arrays. */
    private void selectTop(int k) {
        // max-heap (by key) of the k smallest keys seen so far = the k most likely tokens
        for (int i = 0; i < k; i++) keys[i] = key(logits[i], ids[i]);
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(i, k);
        for (int i = k; i < size; i++) {
            long kv = key(logits[i], ids[i]);
            if (kv < keys[0]) {
                keys[0] = kv;
                siftDown(0, k);
            }
        }
        Arrays.sort(keys, 0, k);
    }

    /** Index of the most likely candidate (the first one on ties in the current order). */
    int argmax() {
        if (sorted) return 0;
        int best = 0;
        for (int i = 1; i < size; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Fills {@link #probs} with the softmax of the current logits; returns false when all are -infinity. */
    boolean softmax() {
        float max = logits[argmax()];
        if (max == Float.NEGATIVE_INFINITY) return false;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(logits[i] - max);
            probs[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < size; i++) probs[i] *= inv;
        return true;
    }

    /** Moves candidate {@code from} to slot {@code to} (to &lt;= from), for in-place filtering. */
    void move(int from, int to) {
        identity = false;
        ids[to] = ids[from];
        logits[to] = logits[from];
        probs[to] = probs[from];
    }

    private void siftDown(int i, int n) {
        long v = keys[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && keys[c + 1] > keys[c]) c++;
            if (keys[c] <= v) break;
            keys[i] = keys[c];
            i = c;
        }
        keys[i] = v;
    }

    private void unpack(int n) {
        for (int i = 0; i < n; i++) {
            ids[i] = (int) keys[i];
            logits[i] = logitOf(keys[i]);
        }
        sorted = true;
        identity = false;
    }

    /** Packs a pair so that ascending key order = descending logit, then ascending id. */
    static long key(float logit, int id) {
        return ((long) ~orderedBits(logit) << 32) | (id & 0xFFFFFFFFL);
    }

    static float logitOf(long key) {
        return Float.intBitsToFloat(orderedBits(~(int) (key >> 32)));
    }

    /** Maps float bits to ints with the same order (and back: the map is its own inverse). */
    private static int orderedBits(float f) {
        return orderedBits(Float.floatToRawIntBits(f));
    }

    private static int orderedBits(int bits) {
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }
}
