package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/** Reads the llama.cpp goldens under test resources {@code llamacpp/} (format: that folder's README). */
final class LlamaCppGoldens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LlamaCppGoldens() {}

    /** {@code llamacpp/<model>.<kind>.json[.gz]}; a missing golden is a failure (they are committed). */
    static JsonNode load(String model, String kind) {
        String name = "/llamacpp/" + model + "." + kind;
        try (InputStream plain = LlamaCppGoldens.class.getResourceAsStream(name + ".json");
             InputStream gz = plain == null ? LlamaCppGoldens.class.getResourceAsStream(name + ".json.gz") : null) {
            assertTrue(plain != null || gz != null, "golden " + name + ".json(.gz) is missing from test resources");
            return JSON.readTree(plain != null ? plain : new GZIPInputStream(gz));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails loudly when the model file is not the one the golden was made from. */
    static void checkModel(JsonNode golden, Path modelFile) {
        String expected = golden.path("model").path("sha256").asText();
        assertEquals(expected, sha256(modelFile), "model file " + modelFile + " differs from the one the llama.cpp golden was made from");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** Logits minus their max, NaN where llama.cpp's probability underflowed. */
    static float[] logitsMinusMax(JsonNode position) {
        byte[] raw = Base64.getDecoder().decode(position.path("logits_minus_max_f32le_b64").asText());
        float[] out = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
