package dev.panllama.cli;

import dev.panllama.PanllamaException;
import dev.panllama.StopReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** The interactive chat loop on a terminal: JLine line editor and history, slash commands, streamed answers. */
final class ChatRepl {
    static final String PROMPT = ">>> ";
    static final String CONTINUATION = "... ";
    private final ChatCommand.State state;
    private final PrintWriter err;
    private final boolean verbose;

    ChatRepl(ChatCommand.State state, PrintWriter err, boolean verbose) {
        this.state = state;
        this.err = err;
        this.verbose = verbose;
    }

    /** Where the line history is kept: $XDG_STATE_HOME/panllama/chat_history (~/.local/state/...). */
    static Path historyFile() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("panllama").resolve("chat_history");
    }

    int run() throws IOException {
        Path history = historyFile();
        try {
            Files.createDirectories(history.getParent());
        } catch (IOException e) {
            err.println("panllama: warning: no history file (" + e.getMessage() + ")");
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).encoding(java.nio.charset.StandardCharsets.UTF_8).build()) {
            return run(terminal, history);
        }
    }

    /** The loop on any terminal (tests pass a virtual one); returns the exit code. */
    int run(Terminal terminal, Path history) {
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("panllama")
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is text, not history
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
                .build();
        PrintWriter out = terminal.writer();
        out.println("Chatting with " + state.model.model.info().name() + ". Type /help for help, /bye or Ctrl-D to leave.");
        out.flush();
        MultiLineInput multi = new MultiLineInput();
        while (true) {
            String line;
            try {
                line = reader.readLine(multi.isOpen() ? CONTINUATION : PROMPT);
            } catch (UserInterruptException e) {
                multi.reset();
                out.println("(Ctrl-C) Use Ctrl-D or /bye to leave.");
                out.flush();
                continue;
            } catch (EndOfFileException e) {
                out.println();
                out.flush();
                return ExitCodes.OK;
            }
            String message = multi.accept(line);
            if (message == null) continue;
            if (message.isBlank()) continue;
            if (message.startsWith("/") && !multi.lastWasQuoted()) {
                if (!command(message.strip(), out)) return ExitCodes.OK;
                continue;
            }
            answer(terminal, out, message);
        }
    }

    /** Runs a slash command; false to leave. */
    private boolean command(String line, PrintWriter out) {
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        String arg = space < 0 ? "" : line.substring(space + 1).strip();
        switch (name) {
            case "/bye", "/exit", "/quit" -> {
                return false;
            }
            case "/help", "/?" -> out.println("""
                    Commands:
                      /system TEXT   set the system message (keeps the conversation); /system alone shows it
                      /clear         forget the conversation (the system message stays)
                      /stats         speed and context use of the last answer
                      /bye           leave (also Ctrl-D)
                      /help          this help
                    Write a message over several lines between \"\"\" and \"\"\".
                    Ctrl-C stops an answer; arrows and Ctrl-R search the history.""");
            case "/system" -> {
                if (arg.isEmpty()) {
                    String s = state.systemPrompt();
                    out.println(s == null ? "No system message. Set one with /system TEXT." : "System message: " + s);
                } else {
                    state.setSystem(arg);
                    out.println("System message set.");
                }
            }
            case "/clear" -> {
                state.clear();
                out.println("Conversation cleared.");
            }
            case "/stats" -> out.println(ChatCommand.stats(state));
            default -> out.println("Unknown command '" + name + "'. Type /help for the commands.");
        }
        out.flush();
        return true;
    }

    /**
     * Streams the answer; Ctrl-C (SIGINT while no line is being read) cancels it. A Ctrl-C that
     * lands before the generation has started is remembered and applied at its first token.
     * Typing is not echoed meanwhile, so it cannot garble the answer (JLine reads it afterwards).
     */
    private void answer(Terminal terminal, PrintWriter out, String message) {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> {
            stop.set(true);
            state.model.session.cancel();
        });
        boolean echo = terminal.echo(false);
        try {
            state.last = state.conversation.send(message, state.options, t -> {
                out.print(t.text());
                out.flush();
                if (stop.get()) state.model.session.cancel();
            });
            if (state.last.stopReason() == StopReason.CANCELLED) out.print(" [stopped]");
            out.println();
            if (state.last.stopReason() == StopReason.CONTEXT_FULL) {
                out.println("[the context of " + state.model.session.contextLength()
                        + " tokens is full: /clear to start over, or a larger -c next time]");
            }
            out.flush();
            if (verbose) {
                err.println(ChatCommand.stats(state));
                err.flush();
            }
        } catch (PanllamaException e) {
            out.println();
            out.println("panllama: " + e.getMessage());
            if (e.getMessage() != null && e.getMessage().contains("context")) {
                out.println("Use /clear to start over, or restart with a larger -c.");
            }
            out.flush();
        } finally {
            terminal.echo(echo);
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }
}
