package dev.panllama.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand matcher for {@code \s?[class]+} regexes cuts text exactly where the regex engine does. */
class CharClassRunSplitTest {
    private static final List<String> REGEXES = List.of(PreTokenizers.CASED_LETTERS_WORD,
            PreTokenizers.DEEPSEEK_PUNCTUATION, PreTokenizers.CJK, "[\r\n]");

    private static int[] pieces(SplitRule rule, String text) {
        SplitText t = new SplitText(Utf8.codepoints(text, 0, text.length()));
        IntList chunks = new IntList(4);
        // two chunks, so that chunk edges are exercised too
        int half = t.cps.length / 2;
        if (half > 0) chunks.add(half);
        if (t.cps.length - half > 0) chunks.add(t.cps.length - half);
        IntList out = new IntList(8);
        rule.split(t, chunks, out);
        return out.toArray();
    }

    @Property(tries = 3000)
    void cutsLikeTheRegexEngine(@ForAll("texts") String text) {
        for (String regex : REGEXES) {
            SplitRule hand = CharClassRunSplit.ifSimple(regex);
            assertNotNull(hand, regex);
            assertArrayEquals(pieces(RegexSplit.compile(regex), text), pieces(hand, text), regex);
        }
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("a", "Z", " ", "  ", "\t", "\n", "\r", "!", "~", "0", "7", "é", "ΐ", "ώ", "ι", "K", "Ω",
                        "ǅ", "中", "文", "가", "！", "：", "‘", "\u3000", "。", "\u00A0", "\u2003", "🦙", "𐐀", "\u0300", "Ⅻ")
                .list().ofMaxSize(16).map(parts -> String.join("", parts));
    }

    @Test
    void onlySimpleShapesAreHandMatched() {
        assertNull(CharClassRunSplit.ifSimple("[0-9][0-9][0-9]"));
        assertNull(CharClassRunSplit.ifSimple("\\s+$"));
        assertNull(CharClassRunSplit.ifSimple("[^\\s]+"));
        assertNotNull(CharClassRunSplit.ifSimple("[\r\n]"));
    }
}
