package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** tokenize on llama.cpp's vocab-only files, against llama.cpp's own token ids. */
class TokenizeCommandTest {

    @Test
    void idsLikeLlamaCppsTokenizerTool() {
        String vocab = Cli.shared("tokenizer/ggml-vocab-llama-spm.gguf").toString();
        Cli r = Cli.run("tokenize", "-m", vocab, "--ids", "Hello world");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("[1, 15043, 3186]\n", r.out());
        assertEquals("[15043, 3186]\n", Cli.run("tokenize", "-m", vocab, "--ids", "--no-bos", "Hello world").out());
    }

    @Test
    void oneLinePerTokenWithItsPiece() {
        String vocab = Cli.shared("tokenizer/ggml-vocab-llama-spm.gguf").toString();
        Cli r = Cli.run("tokenize", "-m", vocab, "Hello world");
        assertEquals("1 -> '<s>'\n15043 -> ' Hello'\n3186 -> ' world'\n", r.out());
        // a character the vocabulary lacks falls back to byte tokens: shown as escapes, not broken text
        Cli bytes = Cli.run("tokenize", "-m", vocab, "--no-bos", "🦙");
        assertEquals("29871 -> ' '\n243 -> '\\xf0'\n162 -> '\\x9f'\n169 -> '\\xa6'\n156 -> '\\x99'\n", bytes.out());
    }

    @Test
    void everyLlamaCppCaseGivesLlamaCppsIds() throws Exception {
        Path vocab = Cli.shared("tokenizer/ggml-vocab-llama-spm.gguf");
        String inp = Files.readString(Path.of(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> out = Files.readAllLines(Path.of(vocab + ".out"), StandardCharsets.UTF_8);
        String[] cases = inp.split(Pattern.quote("\n__ggml_vocab_test__\n"), -1);
        int checked = 0;
        for (int i = 0; i < out.size(); i++) {
            if (cases[i].isEmpty()) continue; // an empty argument reads stdin
            Cli r = Cli.run("tokenize", "-m", vocab.toString(), "--ids", "--no-bos", "--no-parse-special", cases[i]);
            String expected = Arrays.stream(out.get(i).strip().split(" +")).filter(s -> !s.isEmpty())
                    .collect(Collectors.joining(", ", "[", "]"));
            assertEquals(expected + "\n", r.out(), "case " + i + ": '" + cases[i] + "'");
            checked++;
        }
        assertTrue(checked >= 40, "checked " + checked);
    }

    @Test
    void specialTokensAreParsedUnlessAskedNotTo() {
        Path smol = Cli.shared("tokenizer/ggml-vocab-llama-bpe.gguf");
        Cli parsed = Cli.run("tokenize", "-m", smol.toString(), "--ids", "--no-bos", "<|begin_of_text|>hi");
        Cli plain = Cli.run("tokenize", "-m", smol.toString(), "--ids", "--no-bos", "--no-parse-special", "<|begin_of_text|>hi");
        assertEquals(0, parsed.exitCode(), parsed.toString());
        assertTrue(parsed.out().startsWith("[128000, "), parsed.out());
        assertTrue(!plain.out().startsWith("[128000"), plain.out());
    }

    @Test
    void aFileWithoutATokenizerSaysSo() {
        Cli r = Cli.run("tokenize", "-m", Cli.shared("README.md").toString(), "hi");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("panllama: error: ") && r.err().contains("GGUF"), r.err());
    }
}
