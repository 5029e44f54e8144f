package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.Metadata;
import dev.panllama.gguf.MetadataValue;
import dev.panllama.gguf.TestData;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/** Choice of tokenizer, errors, BOS/EOS rules, special tokens and byte fallback, on real vocabularies. */
class TokenizerBehaviourTest {

    /** A vocabulary's metadata with some keys changed. */
    private static Metadata edited(String vocab, Consumer<Map<String, MetadataValue>> edit) {
        try (GgufFile f = GgufFile.open(TestData.vocab(vocab))) {
            Map<String, MetadataValue> m = new LinkedHashMap<>(f.metadata().asMap());
            edit.accept(m);
            return new Metadata("edited " + vocab, m);
        }
    }

    private static Tokenizer vocab(String name) {
        return LlamaCppVocabSuiteTest.load(TestData.vocab(name));
    }

    @Test
    void choosesTheAlgorithmByModel() {
        assertTrue(vocab("llama-spm") instanceof SpmTokenizer);
        assertTrue(vocab("gpt-2") instanceof BpeTokenizer);
    }

    @Test
    void unknownModelIsAClearError() {
        Metadata md = edited("gpt-2", m -> m.put("tokenizer.ggml.model", MetadataValue.string("bert")));
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromMetadata(md));
        assertTrue(e.getMessage().contains("'bert'") && e.getMessage().contains("llama") && e.getMessage().contains("gpt2"),
                e.getMessage());
    }

    @Test
    void missingModelIsAClearError() {
        Metadata md = edited("gpt-2", m -> m.remove("tokenizer.ggml.model"));
        assertThrows(TokenizerException.class, () -> Tokenizer.fromMetadata(md));
    }

    @Test
    void unknownPreTokenizerIsAClearError() {
        Metadata md = edited("gpt-2", m -> m.put("tokenizer.ggml.pre", MetadataValue.string("no-such-split")));
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromMetadata(md));
        assertTrue(e.getMessage().contains("'no-such-split'") && e.getMessage().contains("smollm"), e.getMessage());
    }

    @Test
    void missingPreTokenizerFallsBackToDefault() {
        // Same vocabulary, "default" split: numbers go in runs of three ("[0-9][0-9][0-9]"), unlike gpt-2's.
        Tokenizer dflt = Tokenizer.fromMetadata(edited("gpt-2", m -> m.remove("tokenizer.ggml.pre")));
        Tokenizer gpt2 = vocab("gpt-2");
        String text = "Hello world 1234567";
        assertEquals(text, dflt.decode(dflt.encode(text, false, false)));
        assertFalse(Arrays.equals(gpt2.encode(text, false, false), dflt.encode(text, false, false)));
        assertEquals("default", ((BpeTokenizer) dflt).preTokenizerName());
    }

    @Test
    void missingMergesIsAClearError() {
        Metadata md = edited("gpt-2", m -> m.remove("tokenizer.ggml.merges"));
        assertThrows(TokenizerException.class, () -> Tokenizer.fromMetadata(md));
    }

    @Test
    void duplicateTokensAreAClearError() {
        Metadata md = edited("llama-spm", m -> {
            String[] tokens = ((String[]) m.get("tokenizer.ggml.tokens").value()).clone();
            tokens[5] = tokens[6];
            m.put("tokenizer.ggml.tokens", MetadataValue.stringArray(Arrays.asList(tokens)));
        });
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromMetadata(md));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void bosAndEosFollowTheMetadataAndTheDefaults() {
        Tokenizer spm = vocab("llama-spm");
        assertArrayEquals(new int[] {1, 15043}, spm.encode("Hello", true, false));
        assertArrayEquals(new int[] {15043}, spm.encode("Hello", false, false));

        // Without add_bos_token, SentencePiece adds BOS; byte-level BPE does not (gpt-2)...
        Tokenizer spmNoKey = Tokenizer.fromMetadata(edited("llama-spm", m -> m.remove("tokenizer.ggml.add_bos_token")));
        assertTrue(spmNoKey.addBos());
        assertFalse(vocab("gpt-2").addBos());
        assertArrayEquals(vocab("gpt-2").encode("Hello", false, false), vocab("gpt-2").encode("Hello", true, false));
        // ...except where llama.cpp's pre-tokenizer says so (llama3).
        assertTrue(vocab("llama-bpe").addBos());
        assertEquals(128000, vocab("llama-bpe").encode("Hello", true, false)[0]);

        Tokenizer eos = Tokenizer.fromMetadata(edited("llama-spm",
                m -> m.put("tokenizer.ggml.add_eos_token", MetadataValue.bool(true))));
        assertArrayEquals(new int[] {1, 15043, 2}, eos.encode("Hello", true, false));
    }

    @Test
    void controlTokensAreParsedOnlyWhenAsked() {
        Tokenizer spm = vocab("llama-spm");
        // Parsed: BOS, then "Hello" gets the space prefix because it follows a special token.
        assertArrayEquals(new int[] {1, 15043}, spm.encode("<s>Hello", false, true));
        int[] literal = spm.encode("<s>Hello", false, false);
        assertFalse(Arrays.stream(literal).anyMatch(id -> id == 1));
        assertEquals("<s>Hello", spm.decode(literal));
    }

    @Test
    void userDefinedTokensAreAlwaysCutOut() {
        // mpt's vocabulary defines runs of spaces as user-defined tokens: llama.cpp matches them in raw text.
        Tokenizer mpt = vocab("mpt");
        int spaces = mpt.tokenId("    ").orElseThrow();
        int[] ids = mpt.encode("a    b", false, false);
        assertTrue(Arrays.stream(ids).anyMatch(id -> id == spaces), Arrays.toString(ids));
    }

    @Test
    void unknownCharactersFallBackToBytes() {
        Tokenizer spm = vocab("llama-spm");
        String clef = "\uD834\uDD1E"; // U+1D11E, not in the vocabulary
        int[] ids = spm.encode(clef, false, false);
        byte[] utf8 = clef.getBytes(StandardCharsets.UTF_8);
        // "▁" then one <0xNN> token per byte
        assertEquals(1 + utf8.length, ids.length, Arrays.toString(ids));
        for (int i = 0; i < utf8.length; i++) {
            assertEquals(spm.tokenId(String.format("<0x%02X>", utf8[i] & 0xFF)).orElseThrow(), ids[1 + i]);
            assertArrayEquals(new byte[] {utf8[i]}, spm.tokenBytes(ids[1 + i]));
        }
        assertEquals(clef, spm.decode(ids));
    }

    @Test
    void piecesKeepTheirSpaceAndSpecialTokensTheirText() {
        Tokenizer spm = vocab("llama-spm");
        assertEquals(" Hello", spm.piece(15043));
        assertEquals("<s>", spm.piece(1));
        assertTrue(spm.isControl(1));
        assertFalse(spm.isControl(15043));
        assertEquals(15043, spm.tokenId("▁Hello").orElseThrow());
        assertTrue(spm.tokenId("no such token").isEmpty());
        // decode leaves control tokens out and drops the space prefix of the first piece.
        assertEquals("Hello world", spm.decode(spm.encode("Hello world", true, false)));
        // detokenize is llama.cpp's: with a BOS kept, the first piece keeps its space.
        assertEquals(" Hello world", spm.detokenize(spm.encode("Hello world", true, false), false, false));
        assertEquals("<s> Hello world", spm.detokenize(spm.encode("Hello world", true, false), false, true));
        // llama.cpp keeps the space when it removes a leading BOS, too.
        assertEquals(" Hello world", spm.detokenize(spm.encode("Hello world", true, false), true, false));
    }

    @Test
    void endOfGenerationTokens() {
        Tokenizer llama3 = vocab("llama-bpe");
        int eot = llama3.tokenId("<|eot_id|>").orElseThrow();
        assertEquals(eot, llama3.eot().orElseThrow());
        assertTrue(llama3.isEndOfGeneration(eot));
        assertTrue(llama3.isEndOfGeneration(llama3.eos()));
        assertFalse(llama3.isEndOfGeneration(llama3.bos()));
        assertTrue(vocab("llama-spm").eot().isEmpty());
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        Tokenizer spm = vocab("llama-spm");
        assertThrows(TokenizerException.class, () -> spm.decode(new int[] {1, 32000}));
        assertThrows(TokenizerException.class, () -> spm.tokenBytes(-1));
        assertThrows(TokenizerException.class, () -> spm.piece(Integer.MAX_VALUE));
    }

    @Test
    void lonelySurrogatesAreEncodedAsReplacementCharacters() {
        Tokenizer gpt2 = vocab("gpt-2");
        assertArrayEquals(gpt2.encode("a\uFFFDb", false, false), gpt2.encode("a\uD800b", false, false));
    }

    @Test
    void encodesFromManyThreadsAtOnce() throws Exception {
        Tokenizer tok = vocab("llama-bpe");
        List<LlamaCppVocabSuiteTest.Case> cases = LlamaCppVocabSuiteTest.cases(TestData.vocab("llama-bpe"));
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (LlamaCppVocabSuiteTest.Case c : cases) {
                            if (!Arrays.equals(c.expected(), tok.encode(c.text(), false, false))) return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) assertTrue(r.get());
        }
    }

    @Test
    void emptyTextGivesNoTokens() {
        assertEquals(0, vocab("llama-spm").encode("", false, true).length);
        assertArrayEquals(new int[] {1}, vocab("llama-spm").encode("", true, true));
        assertEquals(0, vocab("llama-bpe").encode("", false, false).length);
    }
}
