package dev.panllama.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every chat template in ../shared/chat-templates against Python jinja2's output (goldens made by
 * test resources chat/generate_goldens.py), byte for byte; "both raise" counts as agreement.
 */
class ChatTemplateGoldenTest {

    /** The families the runtime runs: these must match exactly. */
    static final List<String> RUNTIME_FAMILIES = List.of(
            "meta-llama-Llama-3.1-8B-Instruct", "meta-llama-Llama-3.2-3B-Instruct", "meta-llama-Llama-3.3-70B-Instruct",
            "Qwen-Qwen2.5-7B-Instruct",
            "mistralai-Mistral-Nemo-Instruct-2407", "Mistral-Small-3.2-24B-Instruct-2506",
            "mistralai-Ministral-3-14B-Reasoning-2512", "unsloth-mistral-Devstral-Small-2507",
            "microsoft-Phi-3.5-mini-instruct",
            "HuggingFaceTB-SmolLM3-3B",
            "ibm-granite-granite-3.3-2B-Instruct", "ibm-granite-granite-4.0", "ibm-granite-granite-4.1",
            "deepseek-ai-DeepSeek-R1-Distill-Llama-8B", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B",
            "llama-cpp-deepseek-r1");

    /** Templates known to differ from jinja2 (reported, not failed). Empty: all 68 match. */
    static final Set<String> KNOWN_FAILURES = Set.of();

    private final Jinja2Goldens goldens = new Jinja2Goldens();

    private static Path templates() {
        Path dir = Jinja2Goldens.sharedTemplates();
        assumeTrue(Files.isDirectory(dir), "skipped: shared chat templates not found at " + dir);
        return dir;
    }

    @TestFactory
    Stream<DynamicTest> runtimeFamiliesRenderExactlyAsJinja2() {
        Path dir = templates();
        return RUNTIME_FAMILIES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String source = Files.readString(dir.resolve(name + ".jinja"), StandardCharsets.UTF_8);
            Jinja2Goldens.Golden golden = goldens.golden(name);
            assertEquals(golden.templateSha256(), sha256(source), name + ": golden is stale, rerun generate_goldens.py");
            List<Jinja2Goldens.Mismatch> mismatches = goldens.compare(source, golden);
            assertTrue(mismatches.isEmpty(), () -> name + ": " + mismatches.getFirst().describe());
        }));
    }

    @Test
    void allSharedTemplatesPassRatio() throws IOException {
        Path dir = templates();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jinja")).sorted().toList();
        }
        Map<String, String> failures = new LinkedHashMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".jinja", "");
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Jinja2Goldens.Golden golden = goldens.golden(name);
            assertEquals(golden.templateSha256(), sha256(source), name + ": golden is stale, rerun generate_goldens.py");
            List<Jinja2Goldens.Mismatch> mismatches = goldens.compare(source, golden);
            if (!mismatches.isEmpty()) {
                failures.put(name, mismatches.getFirst().describe());
            }
        }
        System.out.printf("chat templates matching jinja2: %d/%d%n", files.size() - failures.size(), files.size());
        failures.forEach((name, why) -> System.out.println("  FAIL " + name + ": " + why));
        assertEquals(68, files.size(), "expected the 68 shared chat templates");
        assertTrue(KNOWN_FAILURES.containsAll(failures.keySet()),
                () -> "new template mismatches: " + failures.keySet().stream().filter(n -> !KNOWN_FAILURES.contains(n))
                        .map(n -> n + " (" + failures.get(n) + ")").toList());
    }

    @Test
    void smolLm2TemplateFromItsGgufRendersAsJinja2() throws IOException {
        // chat/smollm2.jinja is tokenizer.chat_template of SmolLM2-135M-Instruct's GGUF, extracted by the script.
        String source;
        try (var in = getClass().getResourceAsStream("/chat/smollm2.jinja")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Jinja2Goldens.Golden golden = goldens.golden("smollm2");
        assertEquals(golden.templateSha256(), sha256(source));
        List<Jinja2Goldens.Mismatch> mismatches = goldens.compare(source, golden);
        assertTrue(mismatches.isEmpty(), () -> mismatches.getFirst().describe());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
