package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.Perplexity;
import dev.panllama.model.StateOptions;
import dev.panllama.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityCommandTest {

    static Path text(Path dir) throws Exception {
        // The corpus the engine's llama.cpp goldens use, when present; else a story written here.
        Path corpus = Path.of(System.getProperty("panllama.root"), "java/core/src/test/resources/llamacpp/ppl-text.txt");
        if (Files.exists(corpus)) return corpus;
        Path p = dir.resolve("story.txt");
        Files.writeString(p, "Once upon a time, there was a little girl named Lily. She liked to play in the park. ".repeat(40));
        return p;
    }

    @Test
    void lastLineIsLlamaCppsFinalEstimate(@TempDir Path dir) throws Exception {
        Path model = Cli.shared("models/stories260K.gguf");
        Path text = text(dir);
        Cli r = Cli.run("perplexity", "-m", model.toString(), "-f", text.toString(), "-c", "64", "--chunks", "3", "-t", "1");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        String last = lines.getLast();
        assertTrue(last.matches("Final estimate: PPL = \\d+\\.\\d{4} \\+/- \\d+\\.\\d{5}"), last);
        assertTrue(r.err().contains("[1]") && r.err().contains("[3]"), r.err()); // progress on stderr

        // the same number as the engine's Perplexity on the same tokens
        try (GgufFile f = GgufFile.open(model); LlamaModel m = LlamaModel.load(f);
                InferenceState s = m.newState(new StateOptions(64, StateOptions.KV_F16, 1, 64))) {
            Tokenizer t = Tokenizer.fromMetadata(f.metadata());
            int[] tokens = t.encode(Files.readString(text, StandardCharsets.UTF_8), true, false);
            Perplexity.Result p = Perplexity.compute(s, tokens, 64, t.addBos() ? t.bos() : -1, 3, null);
            assertEquals(PerplexityCommand.finalEstimate(p.ppl(), p.standardError()), last);
        }
    }

    /** llama-perplexity's own output on the same text (java/core test resources, llamacpp/README.md). */
    @Test
    void matchesLlamaPerplexityNumberForNumber() throws Exception {
        Path golden = Path.of(System.getProperty("panllama.root"), "java/core/src/test/resources/llamacpp/stories260K.perplexity.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(golden), "no llama.cpp perplexity golden in this checkout");
        Path model = Cli.shared("models/stories260K.gguf");
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(golden.toFile()).path("llama_perplexity_runs").get(0);
        int c = run.path("n_ctx").asInt();
        int chunks = 4;
        double expected = run.path("running_ppl").get(chunks - 1).asDouble(); // what it printed as [4]
        Path text = golden.resolveSibling("ppl-text.txt");
        Cli r = Cli.run("perplexity", "-m", model.toString(), "-f", text.toString(), "-c", Integer.toString(c),
                "--chunks", Integer.toString(chunks), "-t", "2");
        assertEquals(0, r.exitCode(), r.toString());
        double ours = Double.parseDouble(r.out().lines().toList().getLast().replaceAll(".*PPL = ([0-9.]+) .*", "$1"));
        assertEquals(expected, ours, expected * 1e-3, r.out()); // the engine's float arithmetic, not the method, may differ
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "[%d]", chunks)), r.err());
    }

    /** SmolLM2 (Q4_1) at -c 512 against llama-perplexity's running figure after two windows; 1% as the engine's parity test. */
    @Test
    void smolLm2MatchesLlamaPerplexity() throws Exception {
        Path golden = Path.of(System.getProperty("panllama.root"),
                "java/core/src/test/resources/llamacpp/smollm2-135m-instruct-q4_1.perplexity.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(golden), "no llama.cpp perplexity golden in this checkout");
        var local = dev.panllama.models.DefaultModel.findLocal();
        if (Boolean.getBoolean("panllama.requireModels")) assertTrue(local.isPresent(), "the default model is not fetched");
        org.junit.jupiter.api.Assumptions.assumeTrue(local.isPresent(), "the default model is not fetched; skipping");
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(golden.toFile()).path("llama_perplexity_runs").get(0);
        double expected = run.path("running_ppl").get(1).asDouble();
        Cli r = Cli.run("perplexity", "-m", local.get().toString(), "-f", golden.resolveSibling("ppl-text.txt").toString(),
                "-c", Integer.toString(run.path("n_ctx").asInt()), "--chunks", "2", "-t", "2");
        assertEquals(0, r.exitCode(), r.toString());
        double ours = Double.parseDouble(r.out().lines().toList().getLast().replaceAll(".*PPL = ([0-9.]+) .*", "$1"));
        assertEquals(expected, ours, expected * 0.01, r.out());
    }

    @Test
    void formatHasFourThenFiveDecimals() {
        assertEquals("Final estimate: PPL = 4.3717 +/- 0.20838", PerplexityCommand.finalEstimate(4.37171, 0.208381));
    }

    @Test
    void tooShortATextIsAClearError(@TempDir Path dir) throws Exception {
        Path model = Cli.shared("models/stories260K.gguf");
        Path small = dir.resolve("small.txt");
        Files.writeString(small, "Once upon a time.");
        Cli r = Cli.run("perplexity", "-m", model.toString(), "-f", small.toString(), "-c", "128");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().matches("panllama: error: .*small.txt is \\d+ tokens long; perplexity with -c 128 needs at least 256 \\(two windows\\).*\\n"),
                r.err());
        assertEquals("", r.out());
    }
}
