package dev.panllama.cli;

import dev.panllama.PanllamaException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns failures into what a person can act on: one line naming the problem on stderr, and exit
 * code 1 (2 for a wrong command line, with a pointer to --help instead of the whole usage).
 * Unexpected exceptions keep their stack trace, since they are our bugs; --verbose adds the
 * trace to every error.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof CommandLine.ParameterException pe) {
            return handleParseException(pe, null);
        }
        if (isExpected(e)) {
            err.println("panllama: error: " + message(e));
            if (verbose(parsed)) e.printStackTrace(err);
        } else {
            err.println("panllama: internal error (please report it): " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.ERROR;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        String m = String.valueOf(e.getMessage());
        err.println(name + ": " + (m.startsWith("Error: ") ? m.substring(7) : m));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Try '" + name + " --help' for more.");
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    static boolean isExpected(Throwable e) {
        return e instanceof PanllamaException || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException;
    }

    /** The exception's message, or its class when it has none; IO errors name the file. */
    static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) return n.getFile() + ": no such file";
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof java.io.UncheckedIOException u) return message(u.getCause());
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) return true;
        }
        return false;
    }
}
