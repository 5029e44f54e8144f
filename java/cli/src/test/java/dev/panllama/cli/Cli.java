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
            code = Main.commandLine(o, e, args).execute(args);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A file under ../shared relative to the repo root (../../shared from a worktree), or the test is skipped. */
    static Path shared(String relative) {
        String root = System.getProperty("panllama.root");
        Assumptions.assumeTrue(root != null, "panllama.root is not set (run through Maven)");
        for (String dir : new String[] {"../shared", "../../shared"}) {
            Path p = Path.of(root).resolve(dir).resolve(relative).normalize();
            if (Files.exists(p)) return p;
        }
        Assumptions.abort("test data ../shared/" + relative + " is absent; skipping");
        return null;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
