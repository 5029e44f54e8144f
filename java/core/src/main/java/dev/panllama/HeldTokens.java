package dev.panllama;

import java.util.Arrays;
import java.util.List;

/**
 * The tokens a {@link Generation} holds back (an unfinished UTF-8 character, text that may begin a
 * stop string), oldest first, in parallel ring arrays: holding a token allocates nothing. Usually
 * one token; the arrays double when a long stop-string prefix needs more.
 */
final class HeldTokens {
    private int[] ids = new int[8];
    private String[] texts = new String[8];
    private float[] logprobs = new float[8];
    private Object[] alternatives = new Object[8]; // List<TokenAlternative>
    private int head;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void add(int id, String text, float logprob, List<TokenAlternative> alts) {
        if (size == ids.length) grow();
        int i = (head + size) & (ids.length - 1);
        ids[i] = id;
        texts[i] = text;
        logprobs[i] = logprob;
        alternatives[i] = alts;
        size++;
    }

    int firstId() {
        return ids[head];
    }

    String firstText() {
        return texts[head];
    }

    float firstLogprob() {
        return logprobs[head];
    }

    @SuppressWarnings("unchecked")
    List<TokenAlternative> firstAlternatives() {
        return (List<TokenAlternative>) alternatives[head];
    }

    void removeFirst() {
        if (size == 0) throw new IllegalStateException("no held token");
        texts[head] = null;
        alternatives[head] = null;
        head = (head + 1) & (ids.length - 1);
        size--;
    }

    void clear() {
        while (size > 0) removeFirst();
        head = 0;
    }

    /** Doubles the capacity (a power of two, so indices wrap with a mask), oldest first at 0. */
    private void grow() {
        int n = ids.length;
        int[] i2 = new int[2 * n];
        String[] t2 = new String[2 * n];
        float[] l2 = new float[2 * n];
        Object[] a2 = new Object[2 * n];
        for (int k = 0; k < size; k++) {
            int from = (head + k) & (n - 1);
            i2[k] = ids[from];
            t2[k] = texts[from];
            l2[k] = logprobs[from];
            a2[k] = alternatives[from];
        }
        ids = i2;
        texts = t2;
        logprobs = l2;
        alternatives = a2;
        head = 0;
    }

    @Override
    public String toString() {
        String[] t = new String[size];
        for (int k = 0; k < size; k++) t[k] = texts[(head + k) & (ids.length - 1)];
        return "HeldTokens" + Arrays.toString(t);
    }
}
