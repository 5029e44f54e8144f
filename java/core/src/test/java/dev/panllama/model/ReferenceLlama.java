package dev.panllama.model;

import java.util.ArrayList;
import java.util.List;

/**
 * An independent forward pass in plain Java: F32 weights dequantized by {@link ReferenceDequant},
 * double accumulators, one token at a time, no native code. Slow and memory-hungry (small models
 * only), but simple enough to check by reading: the second reference beside llama.cpp's goldens.
 */
final class ReferenceLlama {
    private final LlamaConfig c;
    private final float[][] embd, output;
    private final float[] outNorm;
    private final Layer[] layers;
    private final boolean f16Cache;
    private final List<List<float[]>> keys = new ArrayList<>(), values = new ArrayList<>();
    private final float[] freqFactors;

    private record Layer(float[] attnNorm, float[][] wq, float[][] wk, float[][] wv, float[] bq, float[] bk, float[] bv,
                         float[][] wo, float[] ffnNorm, float[][] gate, float[][] up, float[][] down) {}

    /** @param f16Cache round cached K/V through F16, as an F16 KV cache stores them */
    ReferenceLlama(LlamaConfig c, LlamaWeights w, boolean f16Cache) {
        this.c = c;
        this.f16Cache = f16Cache;
        embd = ReferenceDequant.matrix(w.tokenEmbedding());
        output = w.output() == w.tokenEmbedding() ? embd : ReferenceDequant.matrix(w.output());
        outNorm = ReferenceDequant.vector(w.outputNorm(), c.embeddingLength());
        layers = new Layer[w.layers().length];
        int dim = c.embeddingLength(), ffn = c.feedForwardLength();
        int qDim = c.headCount() * c.headDim(), kvDim = c.headCountKv() * c.headDim();
        for (int i = 0; i < layers.length; i++) {
            LlamaWeights.Layer L = w.layers()[i];
            layers[i] = new Layer(ReferenceDequant.vector(L.attnNorm(), dim), ReferenceDequant.matrix(L.wq()),
                    ReferenceDequant.matrix(L.wk()), ReferenceDequant.matrix(L.wv()),
                    L.bq() == null ? null : ReferenceDequant.vector(L.bq(), qDim),
                    L.bk() == null ? null : ReferenceDequant.vector(L.bk(), kvDim),
                    L.bv() == null ? null : ReferenceDequant.vector(L.bv(), kvDim),
                    ReferenceDequant.matrix(L.wo()), ReferenceDequant.vector(L.ffnNorm(), dim),
                    ReferenceDequant.matrix(L.ffnGate()), ReferenceDequant.matrix(L.ffnUp()),
                    ReferenceDequant.matrix(L.ffnDown()));
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
        freqFactors = RopeFrequencies.factors(c, w);
    }

    int position() {
        return keys.get(0).size();
    }

    /** Appends one token and returns its logits. */
    float[] forward(int token) {
        int pos = position();
        int nH = c.headCount(), nKv = c.headCountKv(), hd = c.headDim();
        float[] x = embd[token].clone();
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            float[] xb = rmsnorm(x, L.attnNorm);
            float[] q = add(matvec(L.wq, xb), L.bq), k = add(matvec(L.wk, xb), L.bk), v = add(matvec(L.wv, xb), L.bv);
            rope(q, nH, pos);
            rope(k, nKv, pos);
            if (f16Cache) {
                roundF16(k);
                roundF16(v);
            }
            keys.get(l).add(k);
            values.get(l).add(v);
            float[] out = new float[nH * hd];
            int group = nH / nKv;
            for (int h = 0; h < nH; h++) {
                int kvh = h / group;
                double[] s = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    float[] kt = keys.get(l).get(t);
                    double d = 0;
                    for (int i = 0; i < hd; i++) d += (double) q[h * hd + i] * kt[kvh * hd + i];
                    s[t] = d / Math.sqrt(hd);
                    max = Math.max(max, s[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) sum += s[t] = Math.exp(s[t] - max);
                for (int i = 0; i < hd; i++) {
                    double acc = 0;
                    for (int t = 0; t <= pos; t++) acc += s[t] / sum * values.get(l).get(t)[kvh * hd + i];
                    out[h * hd + i] = (float) acc;
                }
            }
            addInPlace(x, matvec(L.wo, out));
            xb = rmsnorm(x, L.ffnNorm);
            float[] g = matvec(L.gate, xb), u = matvec(L.up, xb);
            for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            addInPlace(x, matvec(L.down, g));
        }
        return matvec(output, rmsnorm(x, outNorm));
    }

    private float[] rmsnorm(float[] x, float[] w) {
        double ss = 0;
        for (float f : x) ss += (double) f * f;
        double scale = 1.0 / Math.sqrt(ss / x.length + c.rmsEps());
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) (x[i] * scale * w[i]);
        return y;
    }

    private static float[] matvec(float[][] w, float[] x) {
        float[] y = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            double acc = 0;
            float[] row = w[r];
            for (int j = 0; j < x.length; j++) acc += (double) row[j] * x[j];
            y[r] = (float) acc;
        }
        return y;
    }

    private static float[] add(float[] a, float[] b) {
        if (b != null) addInPlace(a, b);
        return a;
    }

    private static void addInPlace(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
    }

    private static void roundF16(float[] a) {
        for (int i = 0; i < a.length; i++) a[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
    }

    /** Rotates the first n_rot dims of each head: adjacent pairs (llama) or halves (neox). */
    private void rope(float[] v, int heads, int pos) {
        int hd = c.headDim(), nRot = c.ropeDimensionCount();
        boolean neox = c.architecture().equals("qwen2");
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < nRot / 2; i++) {
                double freq = Math.pow(c.ropeTheta(), -2.0 * i / nRot);
                if (freqFactors != null) freq /= freqFactors[i];
                double a = pos * freq, cos = Math.cos(a), sin = Math.sin(a);
                int i0 = h * hd + (neox ? i : 2 * i), i1 = neox ? i0 + nRot / 2 : i0 + 1;
                double x0 = v[i0], x1 = v[i1];
                v[i0] = (float) (x0 * cos - x1 * sin);
                v[i1] = (float) (x0 * sin + x1 * cos);
            }
        }
    }
}
