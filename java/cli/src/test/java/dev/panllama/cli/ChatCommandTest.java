package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** chat with piped input (tests run without a terminal): one message in, one answer out. */
class ChatCommandTest {

    static Cli withStdin(String input, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return Cli.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void pipedInputIsAnsweredOnce() {
        Path model = Cli.shared("models/stories260K.gguf");
        Cli r = withStdin("Tell me a story.\n", "chat", "-m", model.toString(), "-n", "12", "--temp", "0", "--ignore-eos");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().endsWith("\n") && r.out().strip().length() > 5, r.out());
        assertTrue(!r.out().contains(">>>"), r.out()); // no prompt, no banner in piped mode
        assertEquals("", r.err());
    }

    @Test
    void emptyInputIsAnError() {
        Path model = Cli.shared("models/stories260K.gguf");
        Cli r = withStdin("  \n", "chat", "-m", model.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("standard input was empty"), r.err());
    }
}
