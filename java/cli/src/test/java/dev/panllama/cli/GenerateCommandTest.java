package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.gguf.GgufFile;
import dev.panllama.model.InferenceState;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.StateOptions;
import dev.panllama.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {

    /** Greedy decoding straight on the engine and tokenizer, bypassing the public API and the CLI. */
    static byte[] greedyPieces(Path model, String prompt, int n) {
        try (GgufFile f = GgufFile.open(model); LlamaModel m = LlamaModel.load(f);
                InferenceState s = m.newState(new StateOptions(256, StateOptions.KV_F16, 1, 64))) {
            Tokenizer t = Tokenizer.fromMetadata(f.metadata());
            int[] ids = t.encode(prompt, true, true);
            s.eval(ids, 0, ids.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                float[] logits = s.logits();
                int best = 0;
                for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
                if (t.isEndOfGeneration(best)) break;
                if (!t.isControl(best)) out.writeBytes(t.tokenBytes(best));
                s.eval(new int[] {best}, 0, 1);
            }
            return out.toByteArray();
        }
    }

    @Test
    void stdoutIsExactlyTheGeneratedPieces() {
        Path model = Cli.shared("models/stories260K.gguf");
        Cli r = Cli.run("generate", "-m", model.toString(), "-p", "Once upon a time", "-n", "24", "--temp", "0", "-t", "1");
        assertEquals(0, r.exitCode(), r.toString());
        byte[] expected = greedyPieces(model, "Once upon a time", 24);
        assertTrue(expected.length > 20, new String(expected, StandardCharsets.UTF_8));
        // no prompt echo, leading space kept, no newline or anything else added
        assertArrayEquals(expected, r.out().getBytes(StandardCharsets.UTF_8), r.out());
        assertEquals("", r.err());
    }

    @Test
    void verboseReportsSpeedsOnStderrOnly() {
        Path model = Cli.shared("models/stories260K.gguf");
        Cli r = Cli.run("generate", "-m", model.toString(), "-p", "Once", "-n", "4", "--temp", "0", "--verbose");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("panllama: loaded "), r.err());
        assertTrue(r.err().matches("(?s).*generated 4 tokens in .* tok/s.*"), r.err());
        assertTrue(r.err().matches("(?s).*first token \\d+\\.\\d\\d s after the process started.*"), r.err());
        assertTrue(!r.out().contains("tok/s"), r.out());
    }

    @Test
    void sameSeedSameText() {
        Path model = Cli.shared("models/stories260K.gguf");
        String[] args = {"generate", "-m", model.toString(), "-p", "Once", "-n", "16", "--temp", "1.0", "--seed", "7"};
        assertEquals(Cli.run(args).out(), Cli.run(args).out());
    }

    @Test
    void usageErrors() {
        Cli none = Cli.run("generate", "-n", "3");
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("Missing required argument"), none.err());
        Cli both = Cli.run("generate", "-p", "a", "-f", "b");
        assertEquals(2, both.exitCode());
        Cli missing = Cli.run("generate", "-m", "/nope.gguf", "-p", "x");
        assertEquals(1, missing.exitCode());
        assertEquals("panllama: error: /nope.gguf (from -m/--model): no such file\n", missing.err());
    }
}
