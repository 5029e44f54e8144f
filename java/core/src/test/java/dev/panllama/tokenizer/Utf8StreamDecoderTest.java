package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.TestData;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

    /** Decodes bytes fed in the given chunk sizes. */
    private static String streamed(byte[] bytes, List<Integer> chunks) {
        Utf8StreamDecoder d = new Utf8StreamDecoder(null);
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        for (int c : chunks) {
            int n = Math.min(c, bytes.length - pos);
            d.acceptBytes(bytes, pos, n, sb);
            pos += n;
        }
        d.acceptBytes(bytes, pos, bytes.length - pos, sb);
        return sb + d.flush();
    }

    @Property(tries = 2000)
    void chunkingDoesNotChangeTheText(@ForAll("bytes") byte[] bytes, @ForAll("chunks") List<Integer> chunks) {
        assertEquals(streamed(bytes, List.of()), streamed(bytes, chunks));
    }

    @Property(tries = 2000)
    void decodesLikeJavaOutsideSurrogates(@ForAll("bytes") byte[] bytes, @ForAll("chunks") List<Integer> chunks) {
        // Java and Python both replace each maximal invalid subpart with one U+FFFD, except that Java
        // swallows an encoded surrogate (ED A0..BF ..) whole; see pythonReplacesSurrogateBytesOneByOne.
        net.jqwik.api.Assume.that(!new String(bytes, StandardCharsets.ISO_8859_1).contains("\u00ED"));
        assertEquals(new String(bytes, StandardCharsets.UTF_8), streamed(bytes, chunks));
    }

    @Test
    void pythonReplacesSurrogateBytesOneByOne() {
        // bytes.decode("utf-8", "replace") in CPython 3.11
        assertEquals("\uFFFD\uFFFD", streamed(new byte[] {(byte) 0xED, (byte) 0xA0}, List.of(1)));
        assertEquals("\uFFFD\uFFFD\uFFFD", streamed(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, List.of()));
        assertEquals("\uFFFD", streamed(new byte[] {(byte) 0xED, (byte) 0x9F}, List.of()));
        assertEquals("\uD7FF", streamed(new byte[] {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, List.of(2)));
        assertEquals("\uFFFD\uFFFD\uFFFD", streamed(new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80}, List.of()));
        assertEquals("\uFFFD", streamed(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0xA6}, List.of(1, 1)));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        // Mostly bytes that make or break UTF-8 sequences.
        Arbitrary<Byte> interesting = Arbitraries.of((byte) 0x41, (byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F,
                (byte) 0xA0, (byte) 0xBF, (byte) 0xC0, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0, (byte) 0xED, (byte) 0xEF,
                (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF);
        return Arbitraries.oneOf(interesting, Arbitraries.bytes()).array(byte[].class).ofMaxSize(24);
    }

    @Provide
    Arbitrary<List<Integer>> chunks() {
        return Arbitraries.integers().between(0, 5).list().ofMaxSize(10);
    }

    @Test
    void aCharacterSplitAcrossChunksComesOutWhole() {
        byte[] llama = "a🦙b".getBytes(StandardCharsets.UTF_8); // 61 F0 9F A6 99 62
        Utf8StreamDecoder d = new Utf8StreamDecoder(null);
        StringBuilder out = new StringBuilder();
        d.acceptBytes(llama, 0, 2, out);
        assertEquals("a", out.toString());
        assertTrue(d.hasPending());
        d.acceptBytes(llama, 2, 2, out);
        assertEquals("a", out.toString());
        d.acceptBytes(llama, 4, 2, out);
        assertEquals("a🦙b", out.toString());
        assertFalse(d.hasPending());
        assertEquals("", d.flush());
    }

    @Test
    void anUnfinishedCharacterAtTheEndBecomesOneReplacement() {
        Utf8StreamDecoder d = new Utf8StreamDecoder(null);
        StringBuilder out = new StringBuilder();
        d.acceptBytes(new byte[] {'x', (byte) 0xE2, (byte) 0x96}, 0, 3, out);
        assertEquals("x", out.toString());
        assertEquals("\uFFFD", d.flush());
        assertFalse(d.hasPending());
    }

    @Test
    void byteFallbackTokensStreamIntoOneCharacter() {
        Tokenizer spm = LlamaCppVocabSuiteTest.load(TestData.vocab("llama-spm"));
        String text = "clef \uD834\uDD1E and 🦙!";
        int[] ids = spm.encode(text, true, false);
        Utf8StreamDecoder d = new Utf8StreamDecoder(spm);
        List<String> emitted = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int id : ids) {
            String s = d.accept(id);
            emitted.add(s);
            all.append(s);
        }
        all.append(d.flush());
        assertEquals(" " + text, all.toString(), "pieces keep the space prefix; BOS is not shown");
        for (String s : emitted) assertFalse(s.contains("\uFFFD"), "no half characters: " + emitted);
        assertTrue(emitted.contains(""), "the first bytes of a character emit nothing: " + emitted);
    }

    @Test
    void controlTokensAreShownOnlyWhenAsked() {
        Tokenizer spm = LlamaCppVocabSuiteTest.load(TestData.vocab("llama-spm"));
        assertEquals("", new Utf8StreamDecoder(spm).accept(spm.bos()));
        assertEquals("<s>", new Utf8StreamDecoder(spm, true).accept(spm.bos()));
    }
}
