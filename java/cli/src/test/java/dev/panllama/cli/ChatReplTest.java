package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.ChatMessage;
import dev.panllama.GenerateOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat loop on a virtual terminal: slash commands, multi-line input, answers, history. */
class ChatReplTest {

    @Test
    void commandsMultiLineAndAnswers(@TempDir Path dir) throws Exception {
        CommonOptions common = new CommonOptions();
        common.model = Cli.shared("models/stories260K.gguf");
        common.threads = 1;
        String input = String.join("\n",
                "/stats",
                "/system Be brief.",
                "/system",
                "Once upon a time",
                "/stats",
                "\"\"\"",
                "/help is text here",
                "and so is this\"\"\"",
                "/nope",
                "/clear",
                "/bye",
                "never read") + "\n";
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        ChatCommand.State state;
        int code;
        // a pipe, not a byte array: a terminal's input does not end, and JLine stops reading at an end
        java.io.PipedOutputStream keyboard = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keyboard, 1 << 16);
        keyboard.write(input.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        try (LoadedModel m = LoadedModel.open(common, new PrintWriter(err));
                Terminal t = TerminalBuilder.builder().system(false).type(Terminal.TYPE_DUMB).encoding(StandardCharsets.UTF_8)
                        .streams(in, screen).build()) {
            state = new ChatCommand.State(m, GenerateOptions.builder().maxTokens(6).greedy().build(), null);
            code = new ChatRepl(state, new PrintWriter(err), false).run(t, dir.resolve("history"));
            assertEquals(List.of(ChatMessage.system("Be brief.")), state.conversation.messages(),
                    "/clear keeps only the system message; the screen:\n" + screen.toString(StandardCharsets.UTF_8));
        }
        String s = screen.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, s);
        assertTrue(s.contains("No answer yet."), s);
        assertTrue(s.contains("System message set."), s);
        assertTrue(s.contains("System message: Be brief."), s);
        assertTrue(s.matches("(?s).*answer 6 tokens in .*context \\d+ of \\d+ tokens used.*"), s);
        assertTrue(!s.contains("Commands:"), "a /help inside \"\"\" is text, not a command: " + s);
        assertTrue(s.contains("Unknown command '/nope'"), s);
        assertTrue(s.contains("Conversation cleared."), s);
        assertTrue(Files.readString(dir.resolve("history")).contains("Once upon a time"), "history file");
    }
}
