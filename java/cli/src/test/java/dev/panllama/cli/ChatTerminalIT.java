package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's chat in a real terminal (tmux): a question, the answer streaming in, Ctrl-C
 * stopping it mid-way without leaving, the history (Up), a """ multi-line follow-up (which reuses
 * the cached first turn), /stats, and Ctrl-D to leave
 * with exit code 0. Uses stories260K (tiny) with --ignore-eos and a long context, so an answer runs until stopped even on a fast machine.
 */
class ChatTerminalIT {
    static final Duration START = Duration.ofSeconds(180);
    static final Duration STEP = Duration.ofSeconds(120);

    static String lastLine(String screen) {
        String[] lines = screen.stripTrailing().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void questionStreamedAnswerCtrlCHistoryAndExit(@TempDir Path state) throws Exception {
        Assumptions.assumeTrue(Tmux.available(), "tmux is not installed; skipping the terminal test");
        Path model = Cli.shared("models/stories260K.gguf");
        Path root = Path.of(System.getProperty("panllama.root"));
        Path launcher = root.resolve("panllama");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing");
        String cmd = "cd '" + root + "' && XDG_STATE_HOME='" + state + "' ./panllama chat -m '" + model
                + "' --ignore-eos -n -1 -c 32768 --temp 0 -t 1; echo \"[exit $?]\"; sleep 600";
        try (Tmux t = Tmux.start(cmd)) {
            t.waitFor("the banner and the prompt", START, s -> s.contains("Chatting with") && lastLine(s).equals(">>>"));

            t.type("Tell me a story.");
            t.keys("Enter");
            // streamed: the answer grows while the prompt has not come back
            String first = t.waitFor("the first words of the answer", STEP,
                    s -> s.contains(">>> Tell me a story.\n") && s.substring(s.indexOf(">>> Tell me a story.\n")).strip().length()
                            > ">>> Tell me a story.".length() + 8);
            int before = first.strip().length();
            t.waitFor("more of the answer", STEP, s -> s.strip().length() > before + 8 && !lastLine(s).equals(">>>"));

            t.keys("C-c"); // stops the answer, not the program
            String stopped = t.waitFor("the answer to stop and the prompt to return", STEP,
                    s -> s.contains("[stopped]") && lastLine(s).equals(">>>"));
            assertTrue(!stopped.contains("[exit"), stopped);

            t.keys("Up"); // history
            t.waitFor("the question recalled from the history", STEP, s -> lastLine(s).equals(">>> Tell me a story."));
            t.keys("C-u"); // clear the line

            t.type("\"\"\""); // a message over several lines
            t.keys("Enter");
            t.waitFor("the continuation prompt", STEP, s -> lastLine(s).equals("..."));
            t.type("A story about");
            t.keys("Enter");
            t.type("a cat.\"\"\"");
            t.keys("Enter");
            t.waitFor("the second answer", STEP, s -> s.contains("... a cat.\"\"\"\n") && !lastLine(s).startsWith("..."));
            t.keys("C-c");
            t.waitFor("the second answer to stop", STEP,
                    s -> s.split("\\[stopped]", -1).length == 3 && lastLine(s).equals(">>>"));

            t.type("/stats");
            t.keys("Enter");
            String stats = t.waitFor("/stats", STEP, s -> s.contains("context ") && s.contains(" tokens used")
                    && lastLine(s).equals(">>>"));
            assertTrue(stats.contains("stopped: cancelled"), stats);
            // the follow-up reused the first turn from the KV cache
            assertTrue(stats.matches("(?s).*prompt \\d+ tokens \\([1-9]\\d* reused from the cache\\).*"), stats);

            t.keys("C-d");
            String end = t.waitFor("the program to end", STEP, s -> s.contains("[exit "));
            assertTrue(end.contains("[exit 0]"), end);
        }
        assertTrue(Files.readString(state.resolve("panllama/chat_history")).contains("Tell me a story."),
                "the history file keeps the question");
    }
}
