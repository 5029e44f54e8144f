package dev.panllama.cli;

import dev.panllama.gguf.GgmlType;
import dev.panllama.synthetic.SyntheticLlama;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for the JDK's AOT cache (JEP 483/514), which the {@code panllama} launcher
 * records once per jar and JDK with {@code -XX:AOTCacheOutput}: commands run on a tiny random-weight
 * model written to a temporary directory, so it needs no download and no test data. Everything
 * they print is discarded.
 *
 * <p>Two profiles, because the JVM loads every class of the cache when it starts: {@code chat}
 * (piped chat: the chat template engine, Jinjava with Jackson, some 1,400 classes) and
 * {@code default} (generate, greedy and sampled, and tokenize), which would pay a third of a
 * second for loading Jinjava's classes it never uses.
 *
 * <p>Usage: {@code java -XX:AOTCacheOutput=FILE -cp panllama.jar dev.panllama.cli.AotTraining chat|default}
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("panllama-aot-");
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        InputStream stdin = System.in;
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int failures = 0;
        try {
            Path model = dir.resolve("tiny.gguf");
            SyntheticLlama.of(SyntheticLlama.smallShape(512), GgmlType.F32, 1, null).write(model);
            String m = model.toString();
            System.setOut(sink);
            System.setErr(sink);
            Main.quietLogging(false);
            String[][] runs = args.length > 0 && args[0].equals("chat")
                    ? new String[][] {{"chat", "-m", m, "-n", "8", "--temp", "0"}, {"chat", "-m", m, "-n", "8", "--seed", "1"}}
                    : new String[][] {
                        {"generate", "-m", m, "-p", "Once upon a time", "-n", "8", "--temp", "0"},
                        {"generate", "-m", m, "-p", "Once upon a time", "-n", "8", "--seed", "1", "--verbose"},
                        {"tokenize", "-m", m, "Hello world"}};
            for (String[] run : runs) {
                System.setIn(new ByteArrayInputStream("Hi there".getBytes(StandardCharsets.UTF_8)));
                if (Main.commandLine(sink, sink, run).execute(run) != 0) failures++;
            }
        } finally {
            System.setIn(stdin);
            System.setOut(stdout);
            System.setErr(stderr);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // A failing command still trains what it loaded; say so for whoever reads the launcher's log.
        if (failures > 0) System.err.println("panllama: AOT training: " + failures + " command(s) failed");
        System.exit(failures > 0 ? 1 : 0);
    }
}
