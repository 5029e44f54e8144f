package dev.panllama.cli;

/** What {@code panllama} returns to the shell. */
final class ExitCodes {
    /** It worked. */
    static final int OK = 0;
    /** It ran and failed: a missing file, a bad model, not enough memory. The message says which. */
    static final int ERROR = 1;
    /** The command line was wrong (picocli's convention); the usage follows the message. */
    static final int USAGE = 2;
    /** Stopped by Ctrl-C (128 + SIGINT), as shells expect. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
