package dev.panllama.cli;

import dev.panllama.nativelib.BackgroundLinker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code panllama} command. Results go to stdout (always UTF-8), diagnostics to stderr. */
@Command(
        name = "panllama",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Local LLM inference: Llama-family GGUF models on C/SIMD kernels through Java FFM.",
            "Without -m, commands use $PANLLAMA_MODEL or the default model (fetched on first use)."})
public final class Main implements Runnable {
    /**
     * The subcommands, in the order help lists them. Registered here rather than in the annotation
     * so that a command line naming one builds only that one: picocli reflects over every
     * registered command (options, mixins, converters) before it parses, which took longer than
     * loading a small model. {@code MainTest} checks the names against the commands' annotations.
     */
    static final List<Map.Entry<String, Class<?>>> SUBCOMMANDS = List.of(
            Map.entry("inspect", InspectCommand.class),
            Map.entry("chat", ChatCommand.class),
            Map.entry("generate", GenerateCommand.class),
            Map.entry("tokenize", TokenizeCommand.class),
            Map.entry("perplexity", PerplexityCommand.class),
            Map.entry("bench", BenchCommand.class),
            Map.entry("help", CommandLine.HelpCommand.class));

    private static final java.util.Set<String> RUNS_MODEL = java.util.Set.of("generate", "chat", "bench", "perplexity");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the whole command line (every subcommand) writing to these streams, with person-readable errors. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, new String[0]);
    }

    /**
     * Builds the command line for these arguments: when the first names a subcommand (other than
     * {@code help}), only that one is registered, since no other can run; otherwise all of them.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err, String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        boolean one = false;
        for (Map.Entry<String, Class<?>> e : SUBCOMMANDS) one |= e.getKey().equals(first) && !first.equals("help");
        for (Map.Entry<String, Class<?>> e : SUBCOMMANDS) {
            if (!one || e.getKey().equals(first)) cl.addSubcommand(e.getKey(), e.getValue());
        }
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        ErrorHandler handler = new ErrorHandler();
        cl.setExecutionExceptionHandler(handler);
        cl.setParameterExceptionHandler(handler);
        return cl;
    }

    /**
     * Library warnings (java.util.logging) as one "panllama: warning:" line each, and only with
     * --verbose: what a user needs to know reaches them as an error or in the output.
     */
    static void quietLogging(boolean verbose) {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) root.removeHandler(h);
        java.util.logging.Handler h = new java.util.logging.StreamHandler(System.err, new java.util.logging.Formatter() {
            @Override
            public String format(java.util.logging.LogRecord r) {
                return "panllama: " + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": " + formatMessage(r)
                        + System.lineSeparator();
            }
        }) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        root.addHandler(h);
        root.setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.SEVERE);
        h.setLevel(root.getLevel());
    }

    public static void main(String[] args) {
        // UTF-8 whatever the locale: the bytes a model produces are UTF-8, and so is what we print.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        // Commands that run the model: link the native calls while picocli parses (BackgroundLinker).
        if (args.length > 0 && RUNS_MODEL.contains(args[0])) BackgroundLinker.start();
        quietLogging(java.util.Arrays.asList(args).contains("--verbose"));
        int code;
        try {
            code = commandLine(out, err, args).execute(args);
        } catch (OutOfMemoryError e) {
            err.println("panllama: error: out of memory (" + e.getMessage() + "); try a smaller context (-c)"
                    + " or --kv-type q8_0, or give Java more heap: PANLLAMA_JAVA_OPTS=-Xmx8g");
            code = ExitCodes.ERROR;
        }
        out.flush();
        System.exit(code);
    }
}
