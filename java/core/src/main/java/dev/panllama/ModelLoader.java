package dev.panllama;

import java.nio.file.Path;

/** Builds a {@link Model} from a GGUF file: engine, tokenizer and chat template. */
final class ModelLoader {
    private ModelLoader() {}

    static Model load(Path path, ModelOptions options) {
        throw new PanllamaException("Loading GGUF models needs the engine, GGUF reader and tokenizer, not merged into this build yet");
    }
}
