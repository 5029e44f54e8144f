package dev.panllama.cli;

import dev.panllama.PanllamaException;
import picocli.CommandLine;

/** Turns our exceptions into one readable line on stderr and exit code 1; anything else keeps its trace. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof PanllamaException || e instanceof java.io.UncheckedIOException
                || e instanceof java.io.IOException) {
            cl.getErr().println("panllama: error: " + e.getMessage());
        } else {
            cl.getErr().println("panllama: internal error: " + e);
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return 1;
    }
}
