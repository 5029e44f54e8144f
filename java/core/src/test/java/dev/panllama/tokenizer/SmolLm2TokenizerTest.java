package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TestData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SmolLM2-135M-Instruct's tokenizer (byte-level BPE, pre-tokenizer "smollm", ChatML) against
 * llama.cpp's own output, recorded by make_smollm2_goldens.mjs into smollm2-goldens.tsv.
 */
class SmolLm2TokenizerTest {
    record Golden(boolean parseSpecial, String text, int[] ids, String detokenized) {}

    private static Tokenizer tok;
    private static final List<Golden> goldens = new ArrayList<>();
    private static int[] eog;
    private static int bos, eos;

    @BeforeAll
    static void load() throws IOException {
        try (GgufFile f = GgufFile.open(TestData.smolLm2())) {
            tok = Tokenizer.fromMetadata(f.metadata());
        }
        try (InputStream in = SmolLm2TokenizerTest.class.getResourceAsStream("/tokenizer/smollm2-goldens.tsv")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : all.split("\n")) {
                String[] c = line.split("\t");
                switch (c[0]) {
                    case "encode" -> goldens.add(new Golden(c[1].equals("1"), b64(c[2]), ids(c[3]), b64(c[4])));
                    case "eog" -> eog = ids(c[1]);
                    case "meta" -> {
                        bos = Integer.parseInt(c[1].substring(4));
                        eos = Integer.parseInt(c[2].substring(4));
                    }
                    default -> { }
                }
            }
        }
    }

    private static String b64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static int[] ids(String s) {
        return s.isBlank() ? new int[0] : Arrays.stream(s.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void encodesLikeLlamaCpp() {
        assertTrue(goldens.size() >= 30, "golden cases: " + goldens.size());
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (Golden g : goldens) {
            int[] got = tok.encode(g.text(), false, g.parseSpecial());
            if (Arrays.equals(g.ids(), got)) passed++;
            else failures.add(LlamaCppVocabSuiteTest.escape(g.text()) + " special=" + g.parseSpecial()
                    + "\n    expected " + Arrays.toString(g.ids()) + "\n    got      " + Arrays.toString(got));
        }
        System.out.printf("tokenizer SmolLM2 goldens %d/%d pass%n", passed, goldens.size());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void decodesLikeLlamaCppDetokenize() {
        // SmolLM2 has no space prefix and no clean-up, so our decode is llama_detokenize(ids, special=false).
        for (Golden g : goldens) {
            assertEquals(g.detokenized(), tok.decode(g.ids()), LlamaCppVocabSuiteTest.escape(g.text()));
        }
    }

    @Test
    void specialTokensAndFlagsMatchLlamaCpp() {
        assertEquals(bos, tok.bos());
        assertEquals(eos, tok.eos());
        assertFalse(tok.addBos(), "SmolLM2 sets add_bos_token=false");
        assertFalse(tok.addEos());
        int[] ours = IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
        assertArrayEquals(eog, ours, "end-of-generation tokens");
        // llama.cpp picks the EOT among several candidates by hash order; ours prefers <|im_end|>.
        int eot = tok.eot().orElseThrow();
        assertEquals("<|im_end|>", tok.piece(eot));
        assertTrue(tok.isEndOfGeneration(eot));
        assertEquals(1, tok.tokenId("<|im_start|>").orElseThrow());
        assertTrue(tok.isControl(1));
        assertFalse(tok.isControl(tok.tokenId("Hello").orElseThrow()));
    }

    @Test
    void piecesKeepLeadingSpacesAndBytes() {
        int[] ids = tok.encode(" Hello world", false, false);
        assertEquals(" Hello", tok.piece(ids[0]));
        assertEquals(" world", tok.piece(ids[1]));
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(ids[1]));
        assertEquals("<|im_end|>", tok.piece(2), "control tokens render as their text in piece()");
    }
}
