package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    static final String[] LLAMA2_7B = {"inspect", "--dim", "4096", "--layers", "32", "--heads", "32", "--ffn", "11008",
        "--vocab", "32000"};

    static List<String> keys(String json) {
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("\"([a-z_0-9]+)\":").matcher(json);
        while (m.find()) keys.add(m.group(1));
        return keys;
    }

    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void jsonHasExactlyTheContractKeys() {
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(LLAMA2_7B), java.util.stream.Stream.of("--json"))
                .toArray(String[]::new);
        Cli r = Cli.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("params", "embedding", "output", "attn_q", "attn_k", "attn_v", "attn_o", "attn_total",
                "ffn_gate", "ffn_up", "ffn_down", "ffn_total", "norm", "total", "per_layer", "output_tied", "kv", "type",
                "bytes_per_token", "bytes_at_ctx", "mha_bytes_per_token", "mqa_bytes_per_token", "ffn_for_equal_params",
                "mha", "gqa", "mqa", "flops", "weights_per_token", "attention_per_cached_token", "ctx_attention_half",
                "weight_bytes_by_type", "f16", "f32", "run_bytes_at_ctx"), keys(r.out()));
        assertEquals(6_738_415_616L, number(r.out(), "total"));
        assertEquals(524_288L * 4096, number(r.out(), "bytes_at_ctx")); // --ctx defaults to 4096
        assertTrue(r.out().contains("\"output_tied\": false"));
        assertTrue(r.out().contains("\"type\": \"f16\""));
        assertEquals("", r.err());
    }

    @Test
    void textTableShowsCountsWithShares() {
        Cli r = Cli.run(LLAMA2_7B);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("6,738,415,616  100.00%"), r.out());
        assertTrue(r.out().matches("(?s).*feed-forward +4,328,521,728 +64\\.24%.*"), r.out());
        assertTrue(r.out().contains("GQA (8 KV heads) 13056"), r.out());
    }

    @Test
    void tiedGqaShapeAndKvType() {
        Cli r = Cli.run("inspect", "--dim", "576", "--layers", "30", "--heads", "9", "--kv-heads", "3", "--ffn", "1536",
                "--vocab", "49152", "--tied", "--kv-type", "q8_0", "-c", "100", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(134_515_008L, number(r.out(), "total"));
        assertEquals(0L, number(r.out(), "output"));
        assertEquals(12_240L, number(r.out(), "bytes_per_token"));
        assertEquals(1_224_000L, number(r.out(), "bytes_at_ctx"));
        assertTrue(r.out().contains("\"type\": \"q8_0\""));
    }

    @Test
    void fileAccountingMatchesItsTensors() {
        var model = Cli.shared("models/stories260K.gguf");
        Cli r = Cli.run("inspect", "-m", model.toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        // dim 64, 5 layers, 8 heads, 4 KV heads, FFN 172, vocab 512, untied, all f32
        long params = 2 * 512 * 64 + 5 * (64 * 64 * 2 + 2 * 64 * 32 + 3 * 64 * 172 + 2 * 64) + 64;
        assertEquals(params, number(r.out(), "total"));
        assertEquals(params * 4, number(r.out(), "f32"));
        Cli text = Cli.run("inspect", "-m", model.toString());
        assertTrue(text.out().contains("its tensors hold exactly these parameters"), text.out());
    }

    @Test
    void badInputReadsLikeAPersonWroteIt() {
        Cli missing = Cli.run("inspect", "-m", "/no/such/model.gguf");
        assertEquals(1, missing.exitCode());
        assertEquals("panllama: error: /no/such/model.gguf (from -m/--model): no such file\n", missing.err());
        assertEquals("", missing.out());

        Cli notGguf = Cli.run("inspect", "-m", Cli.shared("README.md").toString());
        assertEquals(1, notGguf.exitCode());
        assertTrue(notGguf.err().contains("not a GGUF file"), notGguf.err());
        assertTrue(!notGguf.err().contains("Exception"), notGguf.err());

        Cli usage = Cli.run("inspect", "--dim", "64");
        assertEquals(2, usage.exitCode());
        assertTrue(usage.err().contains("Missing required argument"), usage.err());

        Cli badShape = Cli.run("inspect", "--dim", "100", "--layers", "2", "--heads", "3", "--ffn", "5", "--vocab", "9");
        assertEquals(2, badShape.exitCode());
        assertTrue(badShape.err().contains("--dim 100 is not a multiple of --heads 3"), badShape.err());

        Cli badKv = Cli.run("inspect", "--dim", "64", "--layers", "2", "--heads", "4", "--ffn", "5", "--vocab", "9",
                "--kv-type", "q4_0");
        assertEquals(2, badKv.exitCode());
        assertTrue(badKv.err().contains("unknown KV cache type 'q4_0' (supported: f32, f16, q8_0)"), badKv.err());
    }
}
