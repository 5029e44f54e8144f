package dev.panllama.cli;

import dev.panllama.inspect.FfnForEqualParams;
import dev.panllama.inspect.FlopCounts;
import dev.panllama.inspect.Hyperparameters;
import dev.panllama.inspect.KvCacheCosts;
import dev.panllama.inspect.ModelAccounting;
import dev.panllama.inspect.ParameterCounts;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link ModelAccounting} as the JSON of the contract or as a table for people. */
final class InspectReport {
    private InspectReport() {}

    /** The JSON object: params, output_tied, kv, ffn_for_equal_params, flops, weight_bytes_by_type, run_bytes_at_ctx. */
    static Map<String, Object> json(ModelAccounting a) {
        ParameterCounts p = a.params();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("embedding", p.embedding());
        params.put("output", p.output());
        params.put("attn_q", p.attnQ());
        params.put("attn_k", p.attnK());
        params.put("attn_v", p.attnV());
        params.put("attn_o", p.attnO());
        params.put("attn_total", p.attnTotal());
        params.put("ffn_gate", p.ffnGate());
        params.put("ffn_up", p.ffnUp());
        params.put("ffn_down", p.ffnDown());
        params.put("ffn_total", p.ffnTotal());
        params.put("norm", p.norm());
        params.put("total", p.total());
        params.put("per_layer", p.perLayer());

        KvCacheCosts k = a.kv();
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("type", k.type().label());
        kv.put("bytes_per_token", k.bytesPerToken());
        kv.put("bytes_at_ctx", k.bytesAtCtx());
        kv.put("mha_bytes_per_token", k.mhaBytesPerToken());
        kv.put("mqa_bytes_per_token", k.mqaBytesPerToken());

        FfnForEqualParams f = a.ffnForEqualParams();
        Map<String, Object> ffn = new LinkedHashMap<>();
        ffn.put("mha", f.mha());
        ffn.put("gqa", f.gqa());
        ffn.put("mqa", f.mqa());

        FlopCounts fl = a.flops();
        Map<String, Object> flops = new LinkedHashMap<>();
        flops.put("weights_per_token", fl.weightsPerToken());
        flops.put("attention_per_cached_token", fl.attentionPerCachedToken());
        flops.put("ctx_attention_half", fl.ctxAttentionHalf());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("params", params);
        out.put("output_tied", a.shape().tiedOutput());
        out.put("kv", kv);
        out.put("ffn_for_equal_params", ffn);
        out.put("flops", flops);
        out.put("weight_bytes_by_type", new LinkedHashMap<String, Object>(a.weightBytesByType()));
        out.put("run_bytes_at_ctx", a.runBytesAtCtx());
        return out;
    }

    /** A table a person can read: counts with their share of the total, byte sizes with units. */
    static String text(String title, ModelAccounting a) {
        Hyperparameters h = a.shape();
        ParameterCounts p = a.params();
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        sb.append(String.format(Locale.ROOT,
                "  dim %d, %d layers, %d heads of %d, %d KV heads (%s), FFN %d, vocab %d, %s output%s%n",
                h.dim(), h.layers(), h.heads(), h.headDim(), h.kvHeads(), h.attentionKind(), h.ffn(), h.vocab(),
                h.tiedOutput() ? "tied" : "separate", h.qkvBias() ? ", QKV biases" : ""));

        sb.append(String.format(Locale.ROOT, "%n%-30s %15s  %7s%n", "Parameters", "count", "share"));
        long total = p.total();
        row(sb, "embedding", p.embedding(), total);
        row(sb, h.tiedOutput() ? "output (tied: the embedding)" : "output", p.output(), total);
        row(sb, "attention", p.attnTotal(), total);
        row(sb, "  q", p.attnQ(), total);
        row(sb, "  k", p.attnK(), total);
        row(sb, "  v", p.attnV(), total);
        row(sb, "  o", p.attnO(), total);
        row(sb, "feed-forward", p.ffnTotal(), total);
        row(sb, "  gate", p.ffnGate(), total);
        row(sb, "  up", p.ffnUp(), total);
        row(sb, "  down", p.ffnDown(), total);
        row(sb, "norms", p.norm(), total);
        row(sb, "total", total, total);
        row(sb, "one layer", p.perLayer(), total);

        KvCacheCosts kv = a.kv();
        sb.append(String.format(Locale.ROOT, "%nKV cache (%s)%n", kv.type().label()));
        sb.append(String.format(Locale.ROOT, "  per token             %30s%n", bytes(kv.bytesPerToken())));
        sb.append(String.format(Locale.ROOT, "  at ctx %-14d %30s%n", kv.contextLength(), bytes(kv.bytesAtCtx())));
        sb.append(String.format(Locale.ROOT, "  per token if MHA      %30s  x%.2f%n", bytes(kv.mhaBytesPerToken()),
                kv.mhaBytesPerToken() / (double) kv.bytesPerToken()));
        sb.append(String.format(Locale.ROOT, "  per token if MQA      %30s  x%.2f%n", bytes(kv.mqaBytesPerToken()),
                kv.mqaBytesPerToken() / (double) kv.bytesPerToken()));

        FfnForEqualParams f = a.ffnForEqualParams();
        sb.append(String.format(Locale.ROOT,
                "%nFFN width for the same parameter count%n  MHA (%d KV heads) %d, GQA (%d KV heads) %d, MQA (1 KV head) %d%n",
                h.heads(), f.mha(), f.gqaKvHeads(), f.gqa(), f.mqa()));

        FlopCounts fl = a.flops();
        sb.append("\nFLOPs per token\n");
        sb.append(String.format(Locale.ROOT, "  weights (incl. output head)     %,19d  (%.2f GFLOP)%n",
                fl.weightsPerToken(), fl.weightsPerToken() / 1e9));
        sb.append(String.format(Locale.ROOT, "  attention per cached token      %,19d%n", fl.attentionPerCachedToken()));
        sb.append(String.format(Locale.ROOT, "  attention equals weights at ctx %,19d%n", fl.ctxAttentionHalf()));

        sb.append(a.weightBytesMeasured() ? "\nWeights by type\n" : "\nWeights by type (estimated: f16 matrices, f32 norms)\n");
        long w = a.weightBytes();
        for (Map.Entry<String, Long> e : a.weightBytesByType().entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-10s %30s  %6.2f%%%n", e.getKey(), bytes(e.getValue()),
                    100.0 * e.getValue() / w));
        }
        sb.append(String.format(Locale.ROOT, "  %-10s %30s%n", "total", bytes(w)));
        sb.append(String.format(Locale.ROOT, "%nMemory to run at ctx %d (weights + KV cache): %s%n", kv.contextLength(),
                bytes(a.runBytesAtCtx())));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, long count, long total) {
        sb.append(String.format(Locale.ROOT, "  %-28s %,15d  %6.2f%%%n", name, count, total == 0 ? 0.0 : 100.0 * count / total));
    }

    /** "94,371,840 B (90.0 MiB)". */
    static String bytes(long b) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (b < 1024) return String.format(Locale.ROOT, "%,d B", b);
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d B (%.1f %s)", b, v, units[u]);
    }
}
