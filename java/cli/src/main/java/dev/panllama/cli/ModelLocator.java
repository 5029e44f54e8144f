package dev.panllama.cli;

import dev.panllama.PanllamaException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which model file a command uses: -m, else $PANLLAMA_MODEL, else the default model. */
final class ModelLocator {
    static final String ENV = dev.panllama.models.DefaultModel.ENV;

    private ModelLocator() {}

    static Path resolve(Path option, PrintWriter err) {
        if (option != null) return checked(option, "-m/--model");
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return checked(Path.of(env), "$" + ENV);
        return DefaultModel.get(err);
    }

    private static Path checked(Path p, String where) {
        if (Files.isDirectory(p)) {
            throw new PanllamaException(p + " (from " + where + ") is a directory; give the path of a .gguf file");
        }
        if (!Files.exists(p)) {
            throw new PanllamaException(p + " (from " + where + "): no such file");
        }
        if (!Files.isReadable(p)) {
            throw new PanllamaException(p + " (from " + where + "): not readable (check its permissions)");
        }
        return p;
    }
}
