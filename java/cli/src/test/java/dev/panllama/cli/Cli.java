package dev.panllama.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Runs the command line in-process and captures what it printed. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.commandLine(o, e).execute(args);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** ../shared relative to the repo root, or the test is skipped. */
    static Path shared(String relative) {
        String root = System.getProperty("panllama.root");
        Assumptions.assumeTrue(root != null, "panllama.root is not set (run through Maven)");
        Path p = Path.of(root).resolve("../shared").resolve(relative).normalize();
        Assumptions.assumeTrue(Files.exists(p), "test data " + p + " is absent; skipping");
        return p;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
