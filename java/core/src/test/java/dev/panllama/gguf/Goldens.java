package dev.panllama.gguf;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The gguf-py golden file (see src/test/resources/dev/panllama/gguf/make_goldens.py). */
final class Goldens {
    private Goldens() {}

    static Path path() {
        try {
            return Path.of(Goldens.class.getResource("gguf-py-goldens.gguf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
