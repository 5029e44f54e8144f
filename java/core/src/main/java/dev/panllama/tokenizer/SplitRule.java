package dev.panllama.tokenizer;

/**
 * One step of a pre-tokenizer: it cuts each chunk of the text further, keeping both the pieces it
 * matches and the text between them. llama.cpp applies a model's rules one after another.
 */
sealed interface SplitRule permits Gpt2Split, Llama3Split, RegexSplit, CharClassRunSplit {

    /**
     * @param text   the text being split (code points and derived views)
     * @param chunks lengths, in code points, of the consecutive chunks to split
     * @param out    receives the lengths of the resulting pieces, in order
     */
    void split(SplitText text, IntList chunks, IntList out);
}
