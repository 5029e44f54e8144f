package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.panllama.gguf.GgufFile;
import dev.panllama.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code generate --temp 0} against llama.cpp's greedy goldens (java/core test resources, see
 * their README): stdout must be the bytes of llama.cpp's tokens' pieces, nothing more. Compared up
 * to the first near-tie step, where a last-digit difference in the logits may pick the other token.
 */
class GenerateParityTest {
    static final double NEAR_TIE = 1e-2;

    @Test
    void greedyStdoutIsLlamaCppsPieces() throws Exception {
        Path golden = Path.of(System.getProperty("panllama.root"), "java/core/src/test/resources/llamacpp/stories260K.generation.json");
        Assumptions.assumeTrue(Files.exists(golden), "the llama.cpp generation golden is not in this checkout; skipping");
        Path model = Cli.shared("models/stories260K.gguf");
        JsonNode g = new ObjectMapper().readTree(golden.toFile());
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(model)) {
            tok = Tokenizer.fromMetadata(f.metadata());
        }
        int compared = 0;
        for (JsonNode c : g.path("cases")) {
            JsonNode ids = c.path("generated_ids");
            int n = ids.size();
            for (int step = 0; step < n; step++) {
                if (c.path("steps").get(step).path("margin").asDouble() < NEAR_TIE) {
                    n = step;
                    break;
                }
            }
            if (n == 0) continue;
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                int id = ids.get(i).asInt();
                if (!tok.isControl(id)) expected.writeBytes(tok.tokenBytes(id));
            }
            List<String> args = new ArrayList<>(List.of("generate", "-m", model.toString(), "-p", c.path("prompt").asText(),
                    "-n", Integer.toString(n), "--temp", "0", "--ignore-eos", "-t", "2"));
            if (!c.path("parse_special").asBoolean(true)) args.add("--no-parse-special");
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(expected.toString(StandardCharsets.UTF_8), r.out(), "case " + c.path("name").asText());
            compared += n;
        }
        assertTrue(compared > 0, "no tokens compared");
    }
}
