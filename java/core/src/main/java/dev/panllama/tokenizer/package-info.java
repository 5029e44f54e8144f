/**
 * Tokenizers that give exactly llama.cpp's token ids for a GGUF vocabulary.
 *
 * <p>{@link dev.panllama.tokenizer.Tokenizer#fromMetadata} picks {@link dev.panllama.tokenizer.SpmTokenizer}
 * (SentencePiece-style BPE: Llama 1/2, Mistral, Phi-3) or {@link dev.panllama.tokenizer.BpeTokenizer}
 * (byte-level BPE: Llama 3, SmolLM, Qwen 2, GPT-2, StarCoder, DeepSeek, Falcon...). Both share
 * {@code Vocabulary} (tokens, special ids, attributes, end-of-generation set, as llama.cpp derives them)
 * and {@code SpecialTokenSplitter} (special tokens written in the text). Byte-level BPE first cuts text
 * into words with the {@code PreTokenizer} named by {@code tokenizer.ggml.pre} ({@code PreTokenizers}:
 * hand-written GPT-2 and Llama 3 splitters, llama.cpp's other regexes through {@code RegexSplit}).
 * {@link dev.panllama.tokenizer.Utf8StreamDecoder} turns generated tokens into text as they come.
 *
 * <p>Checked against llama.cpp's own tokenizer test suites and against goldens recorded from llama.cpp
 * (see {@code src/test/resources/tokenizer/make_goldens.mjs}).
 */
package dev.panllama.tokenizer;
