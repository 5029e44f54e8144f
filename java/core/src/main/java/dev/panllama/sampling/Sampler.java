package dev.panllama.sampling;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses tokens from logits with a fixed {@link SamplingOptions} chain, remembers the tokens
 * accepted so far (for the penalties) and reports log-probabilities of what it chose.
 *
 * <p>Per call to {@link #sample}: copy the logits into reusable candidate arrays, add the logit
 * bias, run {@link SamplingOptions#order()}, then draw from the softmax of the survivors using one
 * number from a SplitMix64 generator. The same seed, the same logits and the same accepted tokens
 * give the same choices on any machine and for any engine thread count. All buffers are allocated
 * once here; sampling allocates nothing per token.
 *
 * <p>Not thread-safe: one sampler per generation.
 */
public final class Sampler {
    private final SamplingOptions options;
    private final int vocabSize;
    private final long seed;
    private final SplitMix64 rng;
    private final Candidates cand;
    /** Temperature 0 in the chain: top-k, top-p and min-p all keep the most likely token, so skip them. */
    private final boolean greedy;
    private final boolean penaltiesBeforeTemperature;
    private final float[] raw;
    private final int[] biasIds;
    private final float[] biasValues;
    // penalty window: a ring of the last N accepted tokens and the count of each id in it
    private final int[] window;
    private final int[] counts;
    private final int[] seen; // stamp per token id, so a repeated token is penalised once per sample
    private int stamp = 1;
    private int windowStart;
    private int windowSize;
    // the last choice, for log-probabilities
    private int lastToken = -1;
    private int lastIndex = -1;
    private boolean rawLseValid;
    private double rawLse;
    private long[] topKeys = new long[0];

    /**
     * @param vocabSize length of every logits array passed to {@link #sample}
     * @throws IllegalArgumentException when a logit-bias id is outside the vocabulary
     */
    public Sampler(SamplingOptions options, int vocabSize) {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        this.options = options;
        this.vocabSize = vocabSize;
        this.seed = options.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        this.rng = new SplitMix64(seed);
        this.cand = new Candidates(vocabSize);
        this.raw = new float[vocabSize];
        int nb = options.logitBias().size();
        this.biasIds = new int[nb];
        this.biasValues = new float[nb];
        int i = 0;
        for (Map.Entry<Integer, Float> e : options.logitBias().entrySet()) {
            if (e.getKey() >= vocabSize) throw new IllegalArgumentException(
                    "logit bias for token " + e.getKey() + " but the vocabulary has " + vocabSize + " tokens");
            biasIds[i] = e.getKey();
            biasValues[i++] = e.getValue();
        }
        boolean penalties = !options.penaltiesDisabled() && options.order().contains(SamplerStage.PENALTIES);
        this.window = new int[penalties ? options.penaltyLastN() : 0];
        this.counts = penalties ? new int[vocabSize] : null;
        this.seen = penalties ? new int[vocabSize] : null;
        int temperatureAt = options.order().indexOf(SamplerStage.TEMPERATURE);
        this.greedy = options.temperature() <= 0f && temperatureAt >= 0;
        int penaltiesAt = options.order().indexOf(SamplerStage.PENALTIES);
        this.penaltiesBeforeTemperature = penaltiesAt >= 0 && penaltiesAt < temperatureAt;
    }

    /** The options this sampler runs. */
    public SamplingOptions options() {
        return options;
    }

    /** The seed in use: the configured one, or the one drawn when none was configured. */
    public long seed() {
        return seed;
    }

    /**
     * Records a token as part of the text (prompt or generated), for the penalties. llama.cpp
     * feeds the prompt's tokens too, and so does the panllama session.
     */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize)
            throw new IllegalArgumentException("token " + token + " outside vocabulary of " + vocabSize);
        int n = window.length;
        if (n == 0) return;
        if (windowSize == n) {
            counts[window[windowStart]]--;
            window[windowStart] = token;
            windowStart = (windowStart + 1) % n;
        } else {
            window[(windowStart + windowSize) % n] = token;
            windowSize++;
        }
        counts[token]++;
    }

    /** {@link #accept} for {@code count} tokens starting at {@code offset} (only the last N matter). */
    public void acceptAll(int[] tokens, int offset, int count) {
        int from = Math.max(offset, offset + count - window.length);
        for (int i = from; i < offset + count; i++) accept(tokens[i]);
    }

    /** Forgets the accepted tokens (the generator's stream continues). */
    public void resetHistory() {
        if (counts != null) Arrays.fill(counts, 0);
        windowStart = 0;
        windowSize = 0;
    }

    /**
     * Runs the chain on {@code logits} (not modified) and returns the chosen token id. Does not
     * {@link #accept} it: the caller does, once it decides to keep the token.
     *
     * @throws IllegalArgumentException when the array length is not the vocabulary size
     * @throws IllegalStateException when bias or penalties left no token with a finite logit
     */
    public int sample(float[] logits) {
        if (logits.length != vocabSize)
            throw new IllegalArgumentException("expected " + vocabSize + " logits, got " + logits.length);
        System.arraycopy(logits, 0, raw, 0, vocabSize);
        rawLseValid = false;
        Candidates c = cand;
        c.load(raw);
        for (int i = 0; i < biasIds.length; i++) c.logits[biasIds[i]] += biasValues[i];
        if (greedy) {
            if (penaltiesBeforeTemperature) applyPenalties();
            int best = c.argmax();
            if (c.logits[best] == Float.NEGATIVE_INFINITY)
                throw new IllegalStateException("no token left to sample: every logit is -infinity");
            c.move(best, 0);
            c.size = 1;
            c.sorted = true;
            c.probs[0] = 1f;
            rng.nextDouble(); // keep one draw per token, as on the sampling path
            lastIndex = 0;
            lastToken = c.ids[0];
            return lastToken;
        }
        for (SamplerStage stage : options.order()) {
            switch (stage) {
                case PENALTIES -> applyPenalties();
                case TOP_K -> applyTopK();
                case TOP_P -> applyTopP();
                case MIN_P -> applyMinP();
                case TEMPERATURE -> applyTemperature();
            }
        }
        if (!c.softmax()) throw new IllegalStateException("no token left to sample: every logit is -infinity");
        double u = rng.nextDouble();
        double cumulative = 0;
        int chosen = -1;
        for (int i = 0; i < c.size; i++) {
            if (c.probs[i] == 0f) continue;
            chosen = i;
            cumulative += c.probs[i];
            if (u < cumulative) break;
        }
        lastIndex = chosen;
        lastToken = c.ids[chosen];
        return lastToken;
    }

    private void applyPenalties() {
        if (windowSize == 0 || counts == null) return;
        Candidates c = cand;
        if (c.identity) {
            // every token at its id: touch only the window's distinct tokens, not the vocabulary
            int n = window.length;
            for (int k = 0; k < windowSize; k++) {
                int id = window[(windowStart + k) % n];
                if (seen[id] != stamp) {
                    seen[id] = stamp;
                    c.logits[id] = penalised(c.logits[id], counts[id]);
                }
            }
            if (++stamp == Integer.MAX_VALUE) {
                Arrays.fill(seen, 0);
                stamp = 1;
            }
        } else {
            for (int i = 0; i < c.size; i++) {
                int n = counts[c.ids[i]];
                if (n != 0) c.logits[i] = penalised(c.logits[i], n);
            }
        }
        c.sorted = false;
    }

    /** llama.cpp's rule: shrink towards 0 by the repetition penalty, then subtract frequency and presence terms. */
    private float penalised(float logit, int count) {
        float l = logit <= 0 ? logit * options.repeatPenalty() : logit / options.repeatPenalty();
        return l - count * options.frequencyPenalty() - options.presencePenalty();
    }

    private void applyTopK() {
        int k = options.topK();
        if (k <= 0) return;
        cand.keepTop(Math.min(Math.max(k, options.minKeep()), cand.size));
    }

    private void applyTopP() {
        float p = options.topP();
        if (p >= 1f) return;
        cand.keepTopP(p, Math.max(1, options.minKeep()));
    }

    private void applyMinP() {
        float p = options.minP();
        Candidates c = cand;
        if (p <= 0f || c.size <= 1) return;
        // prob_i >= p * prob_max  <=>  logit_i >= max_logit + ln p  (same softmax denominator)
        float threshold = c.logits[c.argmax()] + (float) Math.log(p);
        int passing = 0;
        for (int i = 0; i < c.size; i++) if (c.logits[i] >= threshold) passing++;
        int minKeep = Math.max(1, options.minKeep());
        if (passing < minKeep) {
            // like llama.cpp: when too few pass, keep the minKeep most likely instead
            c.keepTop(Math.min(minKeep, c.size));
            return;
        }
        int kept = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.logits[i] >= threshold) c.move(i, kept++);
        }
        c.size = kept;
    }

    private void applyTemperature() {
        float t = options.temperature();
        Candidates c = cand;
        if (t <= 0f) {
            int best = c.argmax();
            c.move(best, 0);
            c.size = 1;
            c.sorted = true;
            return;
        }
        if (t == 1f) return;
        for (int i = 0; i < c.size; i++) c.logits[i] /= t;
    }

    /**
     * Log-probability of the token returned by the last {@link #sample} under {@code source}.
     *
     * @throws IllegalStateException before the first sample
     */
    public float lastLogprob(ProbabilitySource source) {
        if (lastToken < 0) throw new IllegalStateException("nothing sampled yet");
        return switch (source) {
            case MODEL -> (float) (raw[lastToken] - rawLogSumExp());
            case SAMPLED -> (float) Math.log(cand.probs[lastIndex]);
        };
    }

    /**
     * Writes the {@code n} most likely tokens of the last sampled distribution ({@code source}),
     * most likely first, into {@code ids} and {@code logprobs}; returns how many were written
     * (fewer than n when the distribution has fewer tokens: {@link ProbabilitySource#SAMPLED}
     * only has the chain's survivors).
     */
    public int topAlternatives(ProbabilitySource source, int n, int[] ids, float[] logprobs) {
        if (lastToken < 0) throw new IllegalStateException("nothing sampled yet");
        if (n < 0 || n > ids.length || n > logprobs.length)
            throw new IllegalArgumentException("n=" + n + " does not fit the output arrays");
        return switch (source) {
            case MODEL -> topOfRaw(n, ids, logprobs);
            case SAMPLED -> topOfSampled(n, ids, logprobs);
        };
    }

    private int topOfSampled(int n, int[] ids, float[] logprobs) {
        Candidates c = cand;
        if (!c.sorted) {
            // order by probability; the chosen token moves, so find it again afterwards
            c.sortDescending();
            c.softmax();
            for (int i = 0; i < c.size; i++) if (c.ids[i] == lastToken) lastIndex = i;
        }
        int m = Math.min(n, c.size);
        for (int i = 0; i < m; i++) {
            ids[i] = c.ids[i];
            logprobs[i] = (float) Math.log(c.probs[i]);
        }
        return m;
    }

    private int topOfRaw(int n, int[] ids, float[] logprobs) {
        int m = Math.min(n, vocabSize);
        if (m == 0) return 0;
        if (topKeys.length < m) topKeys = new long[m];
        long[] heap = topKeys;
        // max-heap of the m smallest keys = the m largest raw logits
        int size = 0;
        for (int i = 0; i < vocabSize; i++) {
            float v = raw[i];
            long key = Candidates.key(Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v, i);
            if (size < m) {
                int j = size++;
                while (j > 0 && heap[(j - 1) / 2] < key) {
                    heap[j] = heap[(j - 1) / 2];
                    j = (j - 1) / 2;
                }
                heap[j] = key;
            } else if (key < heap[0]) {
                int j = 0;
                while (true) {
                    int ch = 2 * j + 1;
                    if (ch >= m) break;
                    if (ch + 1 < m && heap[ch + 1] > heap[ch]) ch++;
                    if (heap[ch] <= key) break;
                    heap[j] = heap[ch];
                    j = ch;
                }
                heap[j] = key;
            }
        }
        Arrays.sort(heap, 0, m);
        double lse = rawLogSumExp();
        for (int i = 0; i < m; i++) {
            ids[i] = (int) heap[i];
            logprobs[i] = (float) (Candidates.logitOf(heap[i]) - lse);
        }
        return m;
    }

    private double rawLogSumExp() {
        if (!rawLseValid) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocabSize; i++) if (raw[i] > max) max = raw[i];
            double sum = 0;
            for (int i = 0; i < vocabSize; i++) sum += Math.exp(raw[i] - max);
            rawLse = max + Math.log(sum);
            rawLseValid = true;
        }
        return rawLse;
    }
}
