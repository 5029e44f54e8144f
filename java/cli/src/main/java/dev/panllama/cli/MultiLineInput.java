package dev.panllama.cli;

/**
 * Ollama's multi-line input: a line starting with {@code """} opens a message that runs, over
 * as many lines as it takes, to a closing {@code """} at the end of a line. Fed line by line.
 */
final class MultiLineInput {
    static final String QUOTES = "\"\"\"";
    private StringBuilder open; // non-null while inside """ ... """
    private boolean lastQuoted;

    /** True while a """ message is open (the next line continues it). */
    boolean isOpen() {
        return open != null;
    }

    /**
     * Takes one line; returns the finished message, or null when more lines are needed.
     * A line that does not start with """ (outside a message) is a message by itself.
     */
    String accept(String line) {
        if (open == null) {
            String t = line.stripLeading();
            lastQuoted = t.startsWith(QUOTES);
            if (!lastQuoted) return line;
            String rest = t.substring(QUOTES.length());
            if (rest.endsWith(QUOTES) && rest.length() >= QUOTES.length()) { // """one line"""
                return rest.substring(0, rest.length() - QUOTES.length());
            }
            open = new StringBuilder(rest);
            return null;
        }
        String t = line.stripTrailing();
        if (t.endsWith(QUOTES)) {
            String last = t.substring(0, t.length() - QUOTES.length());
            if (!open.isEmpty() && !last.isEmpty()) open.append('\n');
            open.append(last);
            String message = open.toString();
            open = null;
            return message;
        }
        if (!open.isEmpty() || !line.isEmpty()) {
            if (!open.isEmpty()) open.append('\n');
            open.append(line);
        }
        return null;
    }

    /** Whether the last finished message was written between """ (so a leading / is text, not a command). */
    boolean lastWasQuoted() {
        return lastQuoted;
    }

    /** Drops an unfinished message (Ctrl-C while typing it). */
    void reset() {
        open = null;
    }
}
