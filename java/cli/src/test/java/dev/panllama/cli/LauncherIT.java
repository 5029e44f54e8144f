package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged launcher as a shell sees it: exit codes, stdout/stderr split, UTF-8 under any locale. */
class LauncherIT {
    record Run(int code, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Run run(Map<String, String> env, String... args) throws Exception {
        Path root = Path.of(System.getProperty("panllama.root"));
        List<String> cmd = new java.util.ArrayList<>(List.of("./panllama"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    @Test
    void versionHelpAndExitCodes() throws Exception {
        Run v = run(Map.of(), "--version");
        assertEquals(0, v.code(), v.err());
        assertTrue(v.text().startsWith("panllama "), v.text());
        assertTrue(v.text().contains("kernel path "), v.text());

        Run help = run(Map.of(), "--help");
        assertEquals(0, help.code());
        for (String c : List.of("chat", "generate", "tokenize", "inspect", "bench", "perplexity")) {
            assertTrue(help.text().contains("  " + c + " "), c + " in\n" + help.text());
        }

        Run unknown = run(Map.of(), "chatt");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Did you mean: panllama chat"), unknown.err());
        assertEquals(0, unknown.out().length);

        Run missing = run(Map.of(), "generate", "-m", "/no/such.gguf", "-p", "hi");
        assertEquals(1, missing.code());
        assertEquals("panllama: error: /no/such.gguf (from -m/--model): no such file\n", missing.err());
    }

    @Test
    void stdoutIsUtf8WhateverTheLocale() throws Exception {
        String vocab = Cli.shared("tokenizer/ggml-vocab-llama-spm.gguf").toString();
        // Under LC_ALL=C the JDK picks US-ASCII for System.out (forced here too, past the launcher's
        // locale fix); the CLI must still write UTF-8, and the argument must arrive intact.
        Run r = run(Map.of("LC_ALL", "C", "LANG", "C", "PANLLAMA_JAVA_OPTS", "-Dstdout.encoding=US-ASCII -Dstderr.encoding=US-ASCII"),
                "tokenize", "-m", vocab, "--no-bos", "Äpfel ü");
        assertEquals(0, r.code(), r.err());
        String expected = Cli.run("tokenize", "-m", vocab, "--no-bos", "Äpfel ü").out();
        assertTrue(expected.contains("11585 -> ' Ä'") && expected.contains("2505 -> ' ü'"), expected);
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), r.out(), r.text());
    }
}
