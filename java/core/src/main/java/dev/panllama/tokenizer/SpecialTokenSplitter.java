package dev.panllama.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts text at occurrences of special tokens before the model's tokenizer sees it, as llama.cpp's
 * tokenizer_st_partition: tokens are taken longest first, each one splitting every text piece left.
 * User-defined tokens are always cut out; control and unknown tokens only when special tokens are
 * parsed. A token with the lstrip/rstrip attribute swallows the ASCII spaces beside it.
 */
final class SpecialTokenSplitter {
    /** A piece of the input: a special token ({@code token >= 0}) or the text {@code [start, end)}. */
    record Fragment(int token, int start, int end) {
        static Fragment text(int start, int end) {
            return new Fragment(-1, start, end);
        }

        boolean isToken() {
            return token >= 0;
        }
    }

    private final Vocabulary vocab;
    /** Chars that some special token starts with, and for each, those tokens (as indexes into specialTokens). */
    private final BitSet firstChars = new BitSet(1 << 16);
    private final Map<Character, int[]> byFirstChar = new HashMap<>();

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
        Map<Character, List<Integer>> lists = new HashMap<>();
        for (int k = 0; k < vocab.specialTokens.length; k++) {
            char first = vocab.texts[vocab.specialTokens[k]].charAt(0);
            firstChars.set(first);
            lists.computeIfAbsent(first, c -> new ArrayList<>()).add(k);
        }
        lists.forEach((c, ks) -> byFirstChar.put(c, ks.stream().mapToInt(Integer::intValue).toArray()));
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> pieces = new ArrayList<>();
        if (text.isEmpty()) return pieces;
        pieces.add(Fragment.text(0, text.length()));
        BitSet present = occurring(text, parseSpecial);
        for (int k = present.nextSetBit(0); k >= 0; k = present.nextSetBit(k + 1)) {
            int id = vocab.specialTokens[k];
            String special = vocab.texts[id];
            List<Fragment> next = new ArrayList<>(pieces.size() + 4);
            for (Fragment f : pieces) {
                if (f.isToken()) {
                    next.add(f);
                } else {
                    cut(text, f.start(), f.end(), id, special, next);
                }
            }
            pieces = next;
        }
        return pieces;
    }

    /**
     * Which special tokens (indexes into specialTokens) occur in the text, found in one pass; only
     * those need cutting, which keeps vocabularies with thousands of user-defined tokens fast.
     */
    private BitSet occurring(String text, boolean parseSpecial) {
        BitSet present = new BitSet(vocab.specialTokens.length);
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (!firstChars.get(c)) continue;
            for (int k : byFirstChar.get(c)) {
                int id = vocab.specialTokens[k];
                if (!parseSpecial && vocab.has(id, TokenAttr.CONTROL | TokenAttr.UNKNOWN)) continue;
                if (text.startsWith(vocab.texts[id], i)) present.set(k);
            }
        }
        return present;
    }

    private void cut(String text, int start, int end, int id, String special, List<Fragment> out) {
        boolean lstrip = vocab.has(id, TokenAttr.LSTRIP);
        boolean rstrip = vocab.has(id, TokenAttr.RSTRIP);
        while (start < end) {
            int match = text.indexOf(special, start);
            if (match < 0 || match + special.length() > end) break;
            int leftEnd = match;
            if (lstrip) {
                while (leftEnd > start && isCSpace(text.charAt(leftEnd - 1))) leftEnd--;
            }
            if (leftEnd > start) out.add(Fragment.text(start, leftEnd));
            out.add(new Fragment(id, 0, 0));
            start = match + special.length();
            if (rstrip) {
                while (start < end && isCSpace(text.charAt(start))) start++;
            }
        }
        if (start < end) out.add(Fragment.text(start, end));
    }

    /** C's isspace in the "C" locale, which is what llama.cpp strips with. */
    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
