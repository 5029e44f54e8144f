package dev.panllama.cli;

/**
 * Ollama's multi-line input: a line starting with {@code """} opens a message that runs, over
 * as many lines as it takes, to a closing {@code """} at the end of a line. Fed line by line.
 */
final class MultiLineInput {
    static final String QUOTES = "\"\"\"";
    private StringBuilder open; // non-null while inside """ ... """

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
            if (!t.startsWith(QUOTES)) return line;
            String rest = t.substring(QUOTES.length());
            if (rest.endsWith(QUOTES) && rest.length() >= QUOTES.length()) { // """one line"""
                return rest.substring(0, rest.length() - QUOTES.length());
            }
            open = new StringBuilder(rest);
            return null;
        }
        String t = line.stripTrailing();
        if (t.endsWith(QUOTES)) {
            if (!open.isEmpty()) open.append('\n');
            open.append(t, 0, t.length() - QUOTES.length());
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

    /** Drops an unfinished message (Ctrl-C while typing it). */
    void reset() {
        open = null;
    }
}
