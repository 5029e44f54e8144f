/**
 * panllama's public API: load a GGUF model once, open sessions on it, generate.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("SmolLM2-135M-Instruct.Q4_1.gguf"));
 *      Session session = model.newSession()) {
 *     GenerateOptions options = GenerateOptions.builder().maxTokens(100).temperature(0.7f).seed(42).build();
 *     GenerationResult result = session.generate("Once upon a time", options,
 *             token -> System.out.print(token.text()));               // streamed as generated
 *     System.out.printf("%n[%s, %.1f tok/s]%n", result.stopReason(), result.stats().generationTokensPerSecond());
 *     Conversation chat = session.newConversation("You are a helpful assistant.");
 *     System.out.println(chat.send("What is the capital of France?", options).text());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.panllama.Model}: weights, tokenizer and chat template, shared by all its sessions.</li>
 *   <li>{@link dev.panllama.Session}: one KV cache; generates with a callback, a
 *       {@link dev.panllama.TokenStream} (iterator / stream) or a blocking call; reuses the cached
 *       prefix of each prompt; {@link dev.panllama.Session#cancel()} from any thread.</li>
 *   <li>{@link dev.panllama.Conversation}: a chat rendered with the model's template whose follow-up
 *       turns evaluate only their new tokens.</li>
 *   <li>{@link dev.panllama.GenerateOptions}: stop strings, token limit, sampling
 *       ({@link dev.panllama.sampling.SamplingOptions}), log-probabilities.</li>
 *   <li>{@link dev.panllama.GenerationResult}: text, {@link dev.panllama.Token}s,
 *       {@link dev.panllama.StopReason} and {@link dev.panllama.GenerationStats}.</li>
 * </ul>
 *
 * <p>Every error is a {@link dev.panllama.PanllamaException} with a message for a person; using a
 * closed model or session is one, never a crash.
 */
package dev.panllama;
