/**
 * The inference engine: a Llama-family model ({@code llama}, {@code qwen2} GGUF architectures) turned
 * into logits, layer by layer in Java, each step one call into the C kernels.
 *
 * <ul>
 *   <li>{@link dev.panllama.model.LlamaModel#load} reads the {@link dev.panllama.model.LlamaConfig} and
 *       resolves every tensor as a view of the file's mapping ({@link dev.panllama.model.LlamaWeights});
 *       a wrong type or shape is an error naming the tensor, the expected and the actual. On AVX2/AVX-512
 *       the Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K matrices are then copied into the interleaved layout their kernels read
 *       faster ({@link dev.panllama.model.LlamaWeights#repacked}; {@link dev.panllama.model.LlamaModel#kernelWeights}),
 *       in an arena the model owns, and the file pages they came from are released.</li>
 *   <li>{@link dev.panllama.model.LlamaModel#newState} allocates one sequence's
 *       {@link dev.panllama.model.KvCache} (F16 by default, Q8_0 or F32; layout
 *       {@code [n_kv_heads][ctx][head_dim]} per layer), its activations (one batch of rows) and its kernel
 *       thread pool, once. The state ({@code LlamaState}) runs the forward pass: embedding, then per
 *       layer RMSNorm, Q/K/V (+biases), RoPE, KV store, attention (MHA/GQA/MQA), output projection,
 *       residual, RMSNorm, fused gate/up SwiGLU, down projection, residual; final RMSNorm and the
 *       output head. Prompts go through in batches (GEMM); decode is the batch of one. Like llama.cpp,
 *       the last layer computes only the rows whose logits are wanted.</li>
 *   <li>{@link dev.panllama.model.Perplexity} is llama.cpp's {@code llama-perplexity} computation.</li>
 * </ul>
 *
 * <p>Parity with llama.cpp (tests in this package, goldens under test resources {@code llamacpp/}):
 * stories260K (F32) greedy output is token-for-token llama.cpp's, logits within 0.005, perplexity
 * within 0.001%. SmolLM2-135M Q4_1 agrees at every greedy step except near-ties (top-2 margin
 * under 0.4), the same steps at which llama.cpp with flash attention leaves llama.cpp without it.
 * With repacked weights a decode step gives exactly the logits a prefill gives.
 *
 * <p>Speed: the test-scoped {@code EngineBench} main prints llama-bench-style pp/tg tok/s and peak RSS
 * ({@code EngineBench MODEL.gguf 1 2 --pp 128 --tg 64}; {@code --first-token} times process start to
 * the first token).
 */
package dev.panllama.model;
