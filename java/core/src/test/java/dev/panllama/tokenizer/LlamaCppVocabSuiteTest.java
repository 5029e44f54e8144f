package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TestData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's tokenizer test suites (tests/test-tokenizer-0): for each vocabulary, 46 strings and
 * the ids llama.cpp gives them, encoded without BOS/EOS and without parsing special tokens.
 */
class LlamaCppVocabSuiteTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(String text, int[] expected) {}

    private static final Map<Path, Tokenizer> LOADED = new ConcurrentHashMap<>();

    /** The tokenizer of a GGUF file, loaded once per test run (vocabularies take a moment to load). */
    static Tokenizer load(Path gguf) {
        return LOADED.computeIfAbsent(gguf, p -> {
            try (GgufFile f = GgufFile.open(p)) {
                return Tokenizer.fromMetadata(f.metadata());
            }
        });
    }

    static List<Case> cases(Path gguf) throws IOException {
        String inp = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>();
        int pos = 0;
        while (pos < inp.length()) {
            int next = inp.indexOf(SEPARATOR, pos);
            if (next < 0) next = inp.length();
            texts.add(inp.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        List<String> lines = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        assertEquals(texts.size(), lines.size(), "cases in .inp and lines in .out");
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            out.add(new Case(texts.get(i), ids));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "llama-bpe", "gpt-2", "starcoder", "deepseek-llm", "deepseek-coder",
            "falcon", "mpt", "refact"})
    void encodesLikeLlamaCpp(String name) throws IOException {
        Path gguf = TestData.vocab(name);
        Tokenizer tok = load(gguf);
        List<Case> cases = cases(gguf);
        assertEquals(46, cases.size(), "cases in the suite");
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] got = tok.encode(c.text(), false, false);
            if (Arrays.equals(c.expected(), got)) {
                passed++;
            } else {
                failures.add(String.format("%s%n    expected %s%n    got      %s", escape(c.text()),
                        Arrays.toString(c.expected()), Arrays.toString(got)));
            }
        }
        System.out.printf("tokenizer suite %-15s %d/%d pass%n", name, passed, cases.size());
        assertTrue(failures.isEmpty(), name + ": " + failures.size() + " of " + cases.size() + " differ:\n"
                + String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "llama-bpe", "gpt-2", "starcoder", "deepseek-llm", "deepseek-coder",
            "falcon", "mpt", "refact"})
    void decodeInvertsEncode(String name) throws IOException {
        Path gguf = TestData.vocab(name);
        Tokenizer tok = load(gguf);
        int lossless = 0;
        List<String> failures = new ArrayList<>();
        for (Case c : cases(gguf)) {
            String back = tok.decode(tok.encode(c.text(), false, false));
            if (back.equals(c.text())) lossless++;
            else failures.add(escape(c.text()) + " -> " + escape(back));
        }
        System.out.printf("round trip %-15s %d/46 exact%n", name, lossless);
        assertTrue(failures.isEmpty(), name + ": decode(encode(s)) != s for:\n" + String.join("\n", failures));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '\n') sb.append("\\n");
            else if (cp == '\t') sb.append("\\t");
            else if (cp == '\r') sb.append("\\r");
            else if (cp < 0x20) sb.append(String.format("\\x%02x", cp));
            else sb.appendCodePoint(cp);
        });
        return sb.append('"').toString();
    }
}
