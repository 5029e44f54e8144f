package dev.panllama.cli;

import dev.panllama.PanllamaException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** The model used when none is named: SmolLM2-135M-Instruct in the user's cache. */
final class DefaultModel {
    static final String FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

    private DefaultModel() {}

    static Path path() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("panllama").resolve("models").resolve(FILE);
    }

    static Path get(PrintWriter err) {
        Path p = path();
        if (Files.isRegularFile(p)) return p;
        throw new PanllamaException("no model given (-m PATH or $" + ModelLocator.ENV + ") and the default model is not at "
                + p + " yet");
    }
}
