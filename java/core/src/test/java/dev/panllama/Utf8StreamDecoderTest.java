package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
        return out;
    }

    @Test
    void charactersSplitAcrossPiecesComeOutWhenComplete() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        assertEquals("a", d.decode(b('a', 0xF0)));
        assertTrue(d.hasPending());
        assertEquals("", d.decode(b(0x9F)));
        assertEquals("", d.decode(b(0x98)));
        assertEquals("😀b", d.decode(b(0x80, 'b')));
        assertFalse(d.hasPending());
        assertEquals("", d.flush());
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        assertEquals("\uFFFD", d.decode(b(0x80)));               // lone continuation
        assertEquals("\uFFFDx", d.decode(b(0xC3, 'x')));          // sequence broken by ASCII
        assertEquals("\uFFFD", d.decode(b(0xC0)));                // never valid
        assertEquals("\uFFFD", d.decode(b(0xE0, 0x80, 0x80)));    // overlong
        assertEquals("\uFFFD", d.decode(b(0xED, 0xA0, 0x80)));    // surrogate
        assertEquals("\uFFFD", d.decode(b(0xF5)));                // beyond U+10FFFF
        assertEquals("", d.decode(b(0xE2, 0x82)));
        assertEquals("\uFFFD", d.flush());                        // unfinished at the end
        assertEquals("€", d.decode(b(0xE2, 0x82, 0xAC)));         // and it recovers
    }

    @Property
    void anySplitOfValidTextDecodesToTheText(@ForAll String text, @ForAll @IntRange(min = 1, max = 7) int chunk) {
        String valid = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8); // lone surrogates -> '?'
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk));
            sb.append(d.decode(part));
        }
        sb.append(d.flush());
        assertEquals(valid, sb.toString());
    }
}
