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
    private final boolean ggmlRounding;
    private final LlamaWeights w;
    private final List<List<float[]>> keys = new ArrayList<>(), values = new ArrayList<>();
    private final float[] freqFactors;

    private record Layer(LlamaWeights.Layer raw, float[] attnNorm, float[][] wq, float[][] wk, float[][] wv, float[] bq, float[] bk, float[] bv,
                         float[][] wo, float[] ffnNorm, float[][] gate, float[][] up, float[][] down) {}

    /**
     * @param f16Cache round cached K/V through F16, as an F16 KV cache stores them, Q before K·Q and the
     *     softmax weights before ·V (pl_attention does what llama.cpp does with an F16 cache)
     */
    ReferenceLlama(LlamaConfig c, LlamaWeights w, boolean f16Cache) {
        this(c, w, f16Cache, false);
    }

    /**
     * @param ggmlRounding also round where ggml's CPU backend does (llama.cpp without flash attention):
     *     activations quantized to Q8_1/Q8_0 blocks before quantized matmuls, Q and the softmax weights
     *     rounded to F16 in attention. Diagnoses which differences from llama.cpp are rounding.
     */
    ReferenceLlama(LlamaConfig c, LlamaWeights w, boolean f16Cache, boolean ggmlRounding) {
        this.c = c;
        this.w = w;
        this.f16Cache = f16Cache;
        this.ggmlRounding = ggmlRounding;
        embd = ReferenceDequant.matrix(w.tokenEmbedding());
        output = w.output() == w.tokenEmbedding() ? embd : ReferenceDequant.matrix(w.output());
        outNorm = ReferenceDequant.vector(w.outputNorm(), c.embeddingLength());
        layers = new Layer[w.layers().length];
        int dim = c.embeddingLength(), ffn = c.feedForwardLength();
        int qDim = c.headCount() * c.headDim(), kvDim = c.headCountKv() * c.headDim();
        for (int i = 0; i < layers.length; i++) {
            LlamaWeights.Layer L = w.layers()[i];
            layers[i] = new Layer(L, ReferenceDequant.vector(L.attnNorm(), dim), ReferenceDequant.matrix(L.wq()),
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
            float[] q = add(mv(L.raw.wq(), L.wq, xb), L.bq), k = add(mv(L.raw.wk(), L.wk, xb), L.bk), v = add(mv(L.raw.wv(), L.wv, xb), L.bv);
            rope(q, nH, pos);
            rope(k, nKv, pos);
            if (f16Cache) {
                roundF16(k);
                roundF16(v);
            }
            keys.get(l).add(k);
            values.get(l).add(v);
            // ggml's F16 K·Q converts Q to F16; pl_attention does the same against an F16 cache
            if (f16Cache || ggmlRounding) roundF16(q);
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
                if (f16Cache || ggmlRounding) { // KQ·V with an F16 V converts the weights to F16
                    for (int t = 0; t <= pos; t++) s[t] = Float.float16ToFloat(Float.floatToFloat16((float) (s[t] / sum)));
                    sum = 1;
                }
                for (int i = 0; i < hd; i++) {
                    double acc = 0;
                    for (int t = 0; t <= pos; t++) acc += s[t] / sum * values.get(l).get(t)[kvh * hd + i];
                    out[h * hd + i] = (float) acc;
                }
            }
            addInPlace(x, mv(L.raw.wo(), L.wo, out));
            xb = rmsnorm(x, L.ffnNorm);
            float[] g = mv(L.raw.ffnGate(), L.gate, xb), u = mv(L.raw.ffnUp(), L.up, xb);
            for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            addInPlace(x, mv(L.raw.ffnDown(), L.down, g));
        }
        return mv(w.output(), output, rmsnorm(x, outNorm));
    }

    private float[] rmsnorm(float[] x, float[] w) {
        double ss = 0;
        for (float f : x) ss += ggmlRounding ? (double) (f * f) : (double) f * f;
        float[] y = new float[x.length];
        if (ggmlRounding) { // ggml: float mean and scale, x*scale then a separate *w
            float scale = 1.0f / (float) Math.sqrt((float) (ss / x.length) + c.rmsEps());
            for (int i = 0; i < x.length; i++) y[i] = (x[i] * scale) * w[i];
            return y;
        }
        double scale = 1.0 / Math.sqrt(ss / x.length + c.rmsEps());
        for (int i = 0; i < x.length; i++) y[i] = (float) (x[i] * scale * w[i]);
        return y;
    }

    /** W x, with ggml's activation quantization in ggml mode (Q8_1 for Q4_1 weights, Q8_0 for Q4_0/Q8_0, Q8_K for K-quants). */
    private float[] mv(WeightMatrix m, float[][] rows, float[] x) {
        if (!ggmlRounding || m.type() == 0) return matvec(rows, x);
        if (m.type() == 1) { // F16 weights: ggml converts the activations to F16
            float[] h = x.clone();
            roundF16(h);
            return matvec(rows, h);
        }
        if (m.type() == 12 || m.type() == 13 || m.type() == 14) return matvec(rows, q8K(x)); // K-quants pair with Q8_K
        if (m.type() == 6 || m.type() == 7) return q5(m, rows, x);
        if (m.type() != 2 && m.type() != 3 && m.type() != 8)
            throw new UnsupportedOperationException("ggml rounding for type " + m.type());
        int nb = x.length / 32;
        float[] d8 = new float[nb], s8 = new float[nb];
        int[] q8 = new int[x.length];
        for (int b = 0; b < nb; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            float d = amax / 127f, id = amax != 0 ? 127f / amax : 0f; // ggml's AVX2 quantize_row_q8_*
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += q8[b * 32 + j] = (int) Math.rint(x[b * 32 + j] * id);
            d8[b] = Float.float16ToFloat(Float.floatToFloat16(d));
            s8[b] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
        }
        float[] y = new float[(int) m.rows()];
        java.lang.foreign.MemorySegment data = m.data();
        int bytes = m.type() == 2 ? 18 : m.type() == 3 ? 20 : 34;
        for (int r = 0; r < y.length; r++) {
            float acc = 0;
            long base = (long) r * nb * bytes;
            for (int b = 0; b < nb; b++) {
                long o = base + (long) b * bytes;
                float dw = Float.float16ToFloat(data.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o));
                int sumi = 0;
                if (m.type() == 8) {
                    for (int j = 0; j < 32; j++) sumi += data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2 + j) * q8[b * 32 + j];
                    acc += dw * d8[b] * sumi;
                } else {
                    int qo = m.type() == 2 ? 2 : 4;
                    for (int j = 0; j < 16; j++) {
                        int v = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o + qo + j) & 0xff;
                        int lo = v & 0xf, hi = v >> 4;
                        if (m.type() == 2) { lo -= 8; hi -= 8; }
                        sumi += lo * q8[b * 32 + j] + hi * q8[b * 32 + j + 16];
                    }
                    if (m.type() == 2) acc += dw * d8[b] * sumi;
                    else acc += dw * d8[b] * sumi
                            + Float.float16ToFloat(data.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o + 2)) * s8[b];
                }
            }
            y[r] = acc;
        }
        return y;
    }

    /**
     * Q5_0 (Q5_1) weights: activations rounded through Q8_0 (Q8_1) blocks as ggml's AVX2 quantizer does;
     * per block the dequantized weights (ReferenceDequant) times the activation codes, in double, times
     * the activation scale; Q5_1's min term uses s, the f16-rounded d x sum(codes) of Q8_1, as ggml.
     */
    private float[] q5(WeightMatrix m, float[][] rows, float[] x) {
        int nb = x.length / 32;
        float[] y = new float[rows.length];
        float[] d8 = new float[nb], s8 = new float[nb];
        int[] q8 = new int[x.length];
        for (int b = 0; b < nb; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            float d = amax / 127f, id = amax != 0 ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += q8[b * 32 + j] = (int) Math.rint(x[b * 32 + j] * id);
            d8[b] = Float.float16ToFloat(Float.floatToFloat16(d));
            s8[b] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
        }
        int bytes = m.type() == 6 ? 22 : 24;
        for (int r = 0; r < rows.length; r++) {
            double acc = 0;
            for (int b = 0; b < nb; b++) {
                long o = ((long) r * nb + b) * bytes;
                double dot = 0;
                for (int j = 0; j < 32; j++) dot += (double) rows[r][b * 32 + j] * q8[b * 32 + j];
                if (m.type() == 7) {
                    float mw = Float.float16ToFloat(m.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                    int sum = 0;
                    for (int j = 0; j < 32; j++) sum += q8[b * 32 + j];
                    dot -= (double) mw * sum; // the dequantized rows carry the min: replace it by min x s
                    acc += dot * d8[b] + (double) mw * s8[b];
                } else {
                    acc += dot * d8[b];
                }
            }
            y[r] = (float) acc;
        }
        return y;
    }

    /**
     * x rounded through ggml's Q8_K (quantize_row_q8_K_ref, ggml's x86 path too): per 256 elements,
     * d = max / -127 where max is the first element of largest magnitude, codes nearest-even, capped at 127.
     */
    private static float[] q8K(float[] x) {
        float[] y = new float[x.length];
        for (int b = 0; b < x.length; b += 256) {
            float max = 0, amax = 0;
            for (int j = 0; j < 256; j++)
                if (Math.abs(x[b + j]) > amax) {
                    amax = Math.abs(x[b + j]);
                    max = x[b + j];
                }
            if (amax == 0) continue;
            float iscale = -127f / max, d = 1 / iscale;
            for (int j = 0; j < 256; j++) y[b + j] = d * Math.min(127, (int) Math.rint(iscale * x[b + j]));
        }
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
