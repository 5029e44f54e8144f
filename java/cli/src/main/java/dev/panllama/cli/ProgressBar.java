package dev.panllama.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code \r}-redrawn, at most ten times a second) for a
 * terminal; elsewhere (a log, a pipe) a line at 0%, every 25% and the end, so logs stay readable.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private int lastQuarter = -1;
    private boolean finished;

    ProgressBar(PrintWriter err, String label, boolean terminal) {
        this.err = err;
        this.label = label;
        this.terminal = terminal;
    }

    /** Whether stderr most likely is a terminal (the JDK can only tell about the console). */
    static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** Reports {@code done} of {@code total} bytes (total <= 0: unknown). */
    synchronized void update(long done, long total) {
        if (finished) return;
        long now = System.nanoTime();
        boolean complete = total > 0 && done >= total;
        if (terminal) {
            if (!complete && now - lastDrawNanos < 100_000_000L && lastDrawNanos != 0) return;
            lastDrawNanos = now;
            err.print("\r" + line(done, total, now) + "\u001b[K");
        } else {
            int quarter = total > 0 ? (int) Math.min(4, done * 4 / total) : 0;
            if (quarter == lastQuarter) return;
            lastQuarter = quarter;
            err.println(line(done, total, now));
        }
        err.flush();
    }

    /** Ends the bar's line. */
    synchronized void finish() {
        if (finished) return;
        finished = true;
        if (terminal) {
            err.println();
            err.flush();
        }
    }

    String line(long done, long total, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        String rate = mib(done / seconds) + "/s";
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %s MiB  %s", label, mib(done), rate);
        }
        double f = Math.min(1.0, done / (double) total);
        int filled = (int) Math.round(f * WIDTH);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s/%s MiB  %s", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), (int) Math.floor(f * 100), mib(done), mib(total), rate);
    }

    private static String mib(double bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}
