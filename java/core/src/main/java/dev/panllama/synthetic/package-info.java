/**
 * Synthetic models for tests and benchmarks: {@link dev.panllama.synthetic.SyntheticLlama} writes
 * random-weight llama/qwen2 GGUF files of any shape and type that llama.cpp loads.
 */
package dev.panllama.synthetic;
