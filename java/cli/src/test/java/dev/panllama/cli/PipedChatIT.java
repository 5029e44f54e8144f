package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.models.DefaultModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code echo hi | ./panllama chat} against the default model: one answer on stdout, exit 0. */
class PipedChatIT {

    @Test
    void echoHiIntoChatAnswersOnceAndExitsZero() throws Exception {
        boolean present = DefaultModel.findLocal().isPresent();
        if (Boolean.getBoolean("panllama.requireModels")) {
            assertTrue(present, "the default model is not in the cache: run test-models/fetch (required by -Pmodels)");
        }
        Assumptions.assumeTrue(present, "the default model is not fetched (test-models/fetch); skipping");
        Path root = Path.of(System.getProperty("panllama.root"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "echo hi | ./panllama chat -n 48").directory(root.toFile());
        pb.environment().put("LC_ALL", "C"); // stdout stays UTF-8 whatever the locale
        Process p = pb.start();
        byte[] err = new byte[0];
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "chat did not end");
        String stderr = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "stdout:\n" + out + "\nstderr:\n" + stderr);
        assertTrue(out.strip().length() > 0 && out.endsWith("\n"), "an answer: '" + out + "'");
        assertTrue(!out.contains(">>>") && !out.contains("panllama:"), out);
    }
}
