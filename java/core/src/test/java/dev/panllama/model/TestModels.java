package dev.panllama.model;

import dev.panllama.gguf.TestData;
import java.nio.file.Path;

/** The engine tests' models; located (and skipped when absent) by the shared {@link TestData}. */
final class TestModels {
    private TestModels() {}

    static Path stories260K() {
        return TestData.stories260K();
    }

    /** Skips when not fetched, fails under -Dpanllama.requireModels=true. */
    static Path smolLM2() {
        return TestData.smolLm2();
    }
}
