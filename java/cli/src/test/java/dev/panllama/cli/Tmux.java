package dev.panllama.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A detached tmux session running one command in a real terminal, driven by send-keys and read by
 * capture-pane. Each has its own tmux server (-L socket), so nothing else on the machine touches it.
 */
final class Tmux implements AutoCloseable {
    final String name;

    private Tmux(String name) {
        this.name = name;
    }

    static boolean available() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts {@code command} (a shell line) in a fresh 120x40 terminal. */
    static Tmux start(String command) throws IOException, InterruptedException {
        String name = "panllama-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        run("tmux", "-L", name, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command);
        return new Tmux(name);
    }

    /** tmux send-keys: literal text with -l, or key names (Enter, C-c, C-d, Up). */
    void keys(String... keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", name, "send-keys", "-t", name));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
    }

    void type(String text) throws IOException, InterruptedException {
        run("tmux", "-L", name, "send-keys", "-t", name, "-l", text);
    }

    /** The whole screen and scrollback as text. */
    String screen() throws IOException, InterruptedException {
        return run("tmux", "-L", name, "capture-pane", "-p", "-J", "-S", "-1000", "-t", name);
    }

    /** Polls the screen until {@code test} holds; fails with the screen after {@code timeout}. */
    String waitFor(String what, Duration timeout, Predicate<String> test) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String s = screen();
        while (!test.test(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; the terminal shows:\n" + s);
            }
            Thread.sleep(200);
            s = screen();
        }
        return s;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("tmux", "-L", name, "kill-server").redirectErrorStream(true).start().waitFor();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
