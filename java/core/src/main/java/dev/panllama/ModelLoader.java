package dev.panllama;

import dev.panllama.chat.ChatTemplate;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.Metadata;
import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.StateOptions;
import dev.panllama.nativelib.BackgroundLinker;
import dev.panllama.tokenizer.Tokenizer;
import dev.panllama.tokenizer.Utf8StreamDecoder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a {@link Model} from a GGUF file: engine (weights), tokenizer and chat template (compiled lazily). */
final class ModelLoader {
    static final String CHAT_TEMPLATE_KEY = "tokenizer.chat_template";

    private ModelLoader() {}

    static Model load(Path path, ModelOptions options) {
        if (!Files.isRegularFile(path)) throw new PanllamaException("No model file at " + path.toAbsolutePath());
        BackgroundLinker.start(); // the native calls get linked while the file is mapped and parsed
        GgufFile file = GgufFile.open(path);
        try {
            Metadata md = file.metadata();
            Tokenizer tokenizer = Tokenizer.fromMetadata(md);
            LlamaModel llama = LlamaModel.load(file, options.repackWeights());
            String source = options.chatTemplate().orElseGet(() -> md.has(CHAT_TEMPLATE_KEY) ? md.getString(CHAT_TEMPLATE_KEY) : null);
            // compiled when first rendered (see LazyChatTemplate)
            LazyChatTemplate template = new LazyChatTemplate(source == null ? ChatTemplate.CHATML_SOURCE : source,
                    path.getFileName().toString());
            String name = md.has("general.name") ? md.getString("general.name") : path.getFileName().toString();
            ModelInfo info = new ModelInfo(name, llama.config().architecture(), llama.config().vocabSize(),
                    llama.config().contextLength(), llama.repackedBytes());
            return new Model(new LlamaEngine(llama, file), new TokenizerVocabulary(tokenizer, llama.config().vocabSize()),
                    template, info);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The engine over a loaded {@link LlamaModel}; closing it closes the model and then the file. */
    private record LlamaEngine(LlamaModel llama, GgufFile file) implements Engine {
        @Override
        public InferenceState newState(StateOptions options) {
            return llama.newState(options);
        }

        @Override
        public void close() {
            try {
                llama.close();
            } finally {
                file.close();
            }
        }
    }

    /**
     * The tokenizer seen by sessions. {@code size} is the model's logit count, which may exceed the
     * tokenizer's (padded embeddings): such ids decode to nothing.
     */
    private record TokenizerVocabulary(Tokenizer tokenizer, int size) implements Vocabulary {
        private static final byte[] NONE = new byte[0];

        @Override
        public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            return tokenizer.encode(text, addSpecial, parseSpecial);
        }

        @Override
        public byte[] pieceBytes(int id) {
            // control tokens (BOS, <|im_end|>, ...) are not text, as in llama.cpp's output
            if (id >= tokenizer.vocabSize() || tokenizer.isControl(id)) return NONE;
            return tokenizer.tokenBytes(id);
        }

        @Override
        public void decodePiece(int id, Utf8StreamDecoder decoder, StringBuilder out) {
            if (id >= tokenizer.vocabSize() || tokenizer.isControl(id)) return; // as pieceBytes
            decoder.acceptPiece(tokenizer, id, out);
        }

        @Override
        public String specialText(int id) {
            return tokenizer.piece(id);
        }

        @Override
        public boolean isEndOfGeneration(int id) {
            return id < tokenizer.vocabSize() && tokenizer.isEndOfGeneration(id);
        }

        @Override
        public int bos() {
            return tokenizer.bos();
        }

        @Override
        public int eos() {
            return tokenizer.eos();
        }
    }
}
