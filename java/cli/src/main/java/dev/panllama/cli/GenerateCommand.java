package dev.panllama.cli;

import dev.panllama.GenerateOptions;
import dev.panllama.GenerationResult;
import dev.panllama.GenerationStats;
import dev.panllama.StopReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panllama generate}: a raw completion streamed to stdout, byte-comparable with llama.cpp's. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Continues a prompt (raw completion, no chat template), streamed to stdout.",
            "BOS as the model says; stdout is exactly the tokens' pieces: no prompt echo, nothing added.",
            "With --temp 0 it matches llama-completion --temp 0 --no-display-prompt.",
            "",
            "Examples:",
            "  panllama generate -p 'Once upon a time' -n 64",
            "  panllama generate -f prompt.txt --temp 0 --seed 1 --verbose"})
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource prompt;

    static final class PromptSource {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt.")
        String text;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from a file ('-': stdin).")
        Path file;
    }

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N",
            description = "Tokens to generate at most; -1 until the end of text or context (default: 256).")
    int maxTokens = 256;

    @Mixin
    SamplingFlags sampling;

    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-text token.")
    boolean ignoreEos;

    @Option(names = "--no-parse-special", description = "Treat special-token text in the prompt as plain text.")
    boolean noParseSpecial;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        common.validate(cl);
        if (maxTokens < -1) throw new CommandLine.ParameterException(cl, "-n must be -1 or more (got " + maxTokens + ")");
        String text = prompt.text != null ? prompt.text : readPrompt(prompt.file);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        GenerateOptions options;
        try {
            options = sampling.apply(GenerateOptions.builder(), common.seed)
                    .maxTokens(maxTokens)
                    .ignoreEos(ignoreEos)
                    .parseSpecial(!noParseSpecial)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        try (LoadedModel m = LoadedModel.open(common, err)) {
            // Ctrl-C: stop generating, keep what was printed, exit 130 once the current token is out.
            AtomicBoolean interrupted = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                interrupted.set(true);
                m.session.cancel();
                try {
                    done.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "panllama-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            GenerationResult r;
            long[] firstTokenAt = {0}; // System.currentTimeMillis() when the first token was printed
            try {
                r = m.session.generate(text, options, t -> {
                    out.print(t.text());
                    out.flush();
                    if (firstTokenAt[0] == 0) firstTokenAt[0] = System.currentTimeMillis();
                });
            } finally {
                out.flush();
                done.countDown();
                if (!interrupted.get()) Runtime.getRuntime().removeShutdownHook(hook);
            }
            if (common.verbose) {
                printStats(err, r);
                printMemory(err, m);
                printSinceProcessStart(err, firstTokenAt[0]);
            }
            if (r.stopReason() == StopReason.CONTEXT_FULL) {
                err.println();
                err.println("panllama: stopped: the context of " + m.session.contextLength()
                        + " tokens is full (a larger -c gives more room)");
            }
            return interrupted.get() || r.stopReason() == StopReason.CANCELLED ? ExitCodes.INTERRUPTED : ExitCodes.OK;
        }
    }

    /** Peak RSS against its floor: the model file (mapped, fully touched by a forward pass) and the KV cache. */
    private static void printMemory(PrintWriter err, LoadedModel m) throws IOException {
        OptionalLong rss = PeakMemory.peakRssBytes();
        if (rss.isEmpty()) return;
        long file = Files.size(m.path), kv = m.session.kvCacheBytes();
        double mib = 1024.0 * 1024.0;
        err.printf(Locale.ROOT, "panllama: peak RSS %.1f MiB = model file %.1f MiB + KV cache %.1f MiB + %.1f MiB other%n",
                rss.getAsLong() / mib, file / mib, kv / mib, (rss.getAsLong() - file - kv) / mib);
        err.flush();
    }

    private static String readPrompt(Path file) throws IOException {
        if (file.toString().equals("-")) return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** --verbose: the start-up latency a user sees, from the process's start (as the OS recorded it) to the first token. */
    static void printSinceProcessStart(PrintWriter err, long firstTokenAtMillis) {
        if (firstTokenAtMillis == 0) return;
        ProcessHandle.current().info().startInstant().ifPresent(start -> {
            err.printf(Locale.ROOT, "panllama: first token %.2f s after the process started%n",
                    (firstTokenAtMillis - start.toEpochMilli()) / 1e3);
            err.flush();
        });
    }

    /** The --verbose summary on stderr, after the text. */
    static void printStats(PrintWriter err, GenerationResult r) {
        GenerationStats s = r.stats();
        err.println();
        err.printf(Locale.ROOT, "panllama: prompt %d tokens (%d cached) in %.2f s, %.1f tok/s%n", s.promptTokens(),
                s.cachedPromptTokens(), s.promptTime().toNanos() / 1e9, s.promptTokensPerSecond());
        err.printf(Locale.ROOT, "panllama: generated %d tokens in %.2f s, %.1f tok/s (first token after %.2f s); stop: %s, seed %d%n",
                s.generatedTokens(), s.generationTime().toNanos() / 1e9, s.generationTokensPerSecond(),
                s.timeToFirstToken().toNanos() / 1e9, r.stopReason().name().toLowerCase(Locale.ROOT), r.seed());
        err.flush();
    }
}
