package dev.panllama.tokenizer;

import java.util.List;

/**
 * How a byte-level BPE model cuts text into words before merging, named by
 * {@code tokenizer.ggml.pre}, with the flags llama.cpp ties to that name.
 *
 * @param name         the name given in the file
 * @param rules        split steps, applied in order
 * @param ignoreMerges a word that is itself a token is emitted whole, without merging (tiktoken-style)
 * @param addBos       whether BOS is added when the file has no {@code add_bos_token}
 * @param cleanSpaces  whether llama.cpp's detokenizer removes spaces before punctuation and contractions
 */
record PreTokenizer(String name, List<SplitRule> rules, boolean ignoreMerges, boolean addBos, boolean cleanSpaces) {

    PreTokenizer {
        rules = List.copyOf(rules);
    }

    /** Lengths, in code points, of the words of {@code text}. */
    IntList split(SplitText text) {
        IntList pieces = new IntList(8);
        pieces.add(text.cps.length);
        if (text.cps.length == 0) return new IntList(0);
        for (SplitRule rule : rules) {
            IntList next = new IntList(pieces.size() * 2 + 8);
            rule.split(text, pieces, next);
            pieces = next;
        }
        return pieces;
    }
}
