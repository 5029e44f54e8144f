package dev.panllama.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The jinja2 goldens under test resources chat/ (made by chat/generate_goldens.py): the conversations, the
 * expected output (or error) of each template for each, and how to render a case the same way here.
 */
final class Jinja2Goldens {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Case(String conversation, boolean addGenerationPrompt, String output, String error) {}

    record Golden(String template, String templateSha256, List<Case> cases) {}

    /** What went wrong for one case; null when Java agrees with jinja2 (same text, or both raise). */
    record Mismatch(Case expected, String actual, String actualError) {
        String describe() {
            String where = expected.conversation() + (expected.addGenerationPrompt() ? "+gen" : "");
            if (expected.output() == null) {
                return where + ": jinja2 raised [" + expected.error() + "], Java rendered " + abbreviate(actual, 0);
            }
            if (actual == null) {
                return where + ": Java raised [" + actualError + "]";
            }
            int at = 0;
            while (at < Math.min(actual.length(), expected.output().length())
                    && actual.charAt(at) == expected.output().charAt(at)) {
                at++;
            }
            return where + ": first difference at char " + at + ": expected " + abbreviate(expected.output(), at)
                    + " got " + abbreviate(actual, at);
        }

        private static String abbreviate(String s, int at) {
            int from = Math.max(0, at - 30);
            return "\"" + s.substring(from, Math.min(s.length(), at + 50)).replace("\n", "\\n") + "\"";
        }
    }

    private final Map<String, List<Map<String, Object>>> conversations = new LinkedHashMap<>();
    private final RenderOptions options;

    Jinja2Goldens() {
        JsonNode spec = read("conversations.json");
        for (JsonNode c : spec.get("conversations")) {
            conversations.put(c.get("name").asText(), messages(c.get("messages")));
        }
        options = RenderOptions.DEFAULT
                .withSpecialTokens(spec.get("bos_token").asText(), spec.get("eos_token").asText())
                .withNow(LocalDateTime.parse(spec.get("frozen_now").asText()));
    }

    Golden golden(String template) {
        JsonNode g = read("goldens/" + template + ".json");
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : g.get("cases")) {
            cases.add(new Case(c.get("conversation").asText(), c.get("add_generation_prompt").asBoolean(),
                    c.has("output") ? c.get("output").asText() : null, c.has("error") ? c.get("error").asText() : null));
        }
        return new Golden(g.get("template").asText(), g.get("template_sha256").asText(), cases);
    }

    /** Renders every case; the mismatches (empty when Java agrees with jinja2 everywhere). */
    List<Mismatch> compare(String source, Golden golden) {
        List<Mismatch> mismatches = new ArrayList<>();
        ChatTemplate template;
        try {
            template = ChatTemplate.compile(source);
        } catch (ChatTemplateException e) {
            for (Case c : golden.cases()) {
                if (c.output() != null) {
                    mismatches.add(new Mismatch(c, null, e.getMessage()));
                }
            }
            return mismatches;
        }
        for (Case c : golden.cases()) {
            String actual = null;
            String error = null;
            try {
                actual = template.renderRaw(conversations.get(c.conversation()), c.addGenerationPrompt(), options);
            } catch (ChatTemplateException e) {
                error = e.getMessage();
            }
            if (!Objects.equals(actual, c.output())) {
                mismatches.add(new Mismatch(c, actual, error));
            }
        }
        return mismatches;
    }

    static JsonNode read(String resource) {
        try (InputStream in = Jinja2Goldens.class.getResourceAsStream("/chat/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource chat/" + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(JsonNode node) {
        return JSON.convertValue(node, List.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, LinkedHashMap.class);
    }

    /** ../shared relative to the repository root; -Dpanllama.shared=DIR overrides it (e.g. from a git worktree). */
    static Path sharedTemplates() {
        String shared = System.getProperty("panllama.shared");
        if (shared == null || shared.isBlank()) {
            shared = Path.of(System.getProperty("panllama.root", ".")).resolve("../shared").toString();
        }
        return Path.of(shared).resolve("chat-templates").normalize();
    }
}
