package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.Metadata;
import dev.panllama.gguf.MetadataValue;
import dev.panllama.gguf.TestData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every vocabulary against llama.cpp's own answers (make_goldens.mjs): 39 strings each, with and
 * without special-token parsing, llama.cpp's detokenization, BOS/EOS flags and end-of-generation
 * tokens. SmolLM2 is the real model file (skipped when absent unless -Dpanllama.requireModels=true).
 */
class LlamaCppGoldensTest {
    private static final java.util.Map<String, Tokenizer> WITH_PRE = new java.util.concurrent.ConcurrentHashMap<>();

    /** The Llama 3 vocabulary with another tokenizer.ggml.pre, as with_pre_tokenizer.py writes it for llama.cpp. */
    static Tokenizer llama3VocabWithPre(String pre) {
        return WITH_PRE.computeIfAbsent(pre, p -> {
            try (GgufFile f = GgufFile.open(TestData.vocab("llama-bpe"))) {
                java.util.Map<String, MetadataValue> m = new java.util.LinkedHashMap<>(f.metadata().asMap());
                m.put("tokenizer.ggml.pre", MetadataValue.string(p));
                return Tokenizer.fromMetadata(new Metadata("llama-bpe with pre " + p, m));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2", "deepseek-v3", "llama4", "tekken", "default", "stablelm2", "command-r", "dbrx", "megrez"})
    void preTokenizersMatchLlamaCpp(String pre) {
        Tokenizer tok = llama3VocabWithPre(pre);
        LlamaCppGoldens g = LlamaCppGoldens.load("pre-" + pre);
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (LlamaCppGoldens.Case c : g.cases()) {
            int[] got = tok.encode(c.text(), false, c.parseSpecial());
            String back = tok.detokenize(c.ids(), false, false);
            if (Arrays.equals(c.ids(), got) && back.equals(c.detokenized())) {
                passed++;
            } else {
                failures.add(LlamaCppVocabSuiteTest.escape(c.text()) + " parseSpecial=" + c.parseSpecial()
                        + "\n    expected " + Arrays.toString(c.ids()) + " " + LlamaCppVocabSuiteTest.escape(c.detokenized())
                        + "\n    got      " + Arrays.toString(got) + " " + LlamaCppVocabSuiteTest.escape(back));
            }
        }
        System.out.printf("llama.cpp goldens pre=%-12s %d/%d pass%n", pre, passed, g.cases().size());
        assertEquals(g.metaBool("addBos"), tok.addBos(), "addBos");
        assertTrue(failures.isEmpty(), pre + ":\n" + String.join("\n", failures));
    }

    static Path model(String name) {
        return switch (name) {
            case "smollm2" -> TestData.smolLm2();
            case "stories260K" -> TestData.stories260K();
            default -> TestData.vocab(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"smollm2", "stories260K", "llama-spm", "phi-3", "llama-bpe", "gpt-2", "starcoder",
            "deepseek-llm", "deepseek-coder", "falcon", "mpt", "refact", "gpt-neox"})
    void encodeAndDetokenizeMatchLlamaCpp(String name) {
        Tokenizer tok = LlamaCppVocabSuiteTest.load(model(name));
        LlamaCppGoldens g = LlamaCppGoldens.load(name);
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (LlamaCppGoldens.Case c : g.cases()) {
            int[] got = tok.encode(c.text(), false, c.parseSpecial());
            String back = tok.detokenize(c.ids(), false, false);
            if (Arrays.equals(c.ids(), got) && back.equals(c.detokenized())) {
                passed++;
            } else {
                failures.add(LlamaCppVocabSuiteTest.escape(c.text()) + " parseSpecial=" + c.parseSpecial()
                        + "\n    expected " + Arrays.toString(c.ids()) + " " + LlamaCppVocabSuiteTest.escape(c.detokenized())
                        + "\n    got      " + Arrays.toString(got) + " " + LlamaCppVocabSuiteTest.escape(back));
            }
        }
        System.out.printf("llama.cpp goldens %-15s %d/%d pass%n", name, passed, g.cases().size());
        assertTrue(failures.isEmpty(), name + ":\n" + String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"smollm2", "stories260K", "llama-spm", "phi-3", "llama-bpe", "gpt-2", "starcoder",
            "deepseek-llm", "deepseek-coder", "falcon", "mpt", "refact", "gpt-neox"})
    void specialTokensMatchLlamaCpp(String name) {
        Tokenizer tok = LlamaCppVocabSuiteTest.load(model(name));
        LlamaCppGoldens g = LlamaCppGoldens.load(name);
        assertEquals(g.metaInt("bos"), tok.bos(), "bos");
        assertEquals(g.metaInt("eos"), tok.eos(), "eos");
        assertEquals(g.metaBool("addBos"), tok.addBos(), "addBos");
        assertEquals(g.metaBool("addEos"), tok.addEos(), "addEos");
        int[] eog = IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
        assertArrayEquals(g.endOfGeneration(), eog, "end-of-generation tokens");
        int theirs = g.metaInt("eot");
        int ours = tok.eot().orElse(-1);
        if (ours != theirs) {
            // llama.cpp picks among several known end-of-turn texts in hash-map order; we take the
            // first in KnownTokens.EOT's order. Both must be such tokens and end generation.
            assertTrue(KnownTokens.EOT.contains(tok.piece(theirs)) && KnownTokens.EOT.contains(tok.piece(ours)),
                    "eot: llama.cpp " + theirs + ", ours " + ours);
            assertTrue(tok.isEndOfGeneration(ours));
        }
    }
}
