package dev.panllama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.GgufFormatException;
import dev.panllama.gguf.Metadata;
import dev.panllama.gguf.MetadataValue;
import dev.panllama.gguf.TestData;
import dev.panllama.model.LlamaConfig.RopeScaling;
import dev.panllama.model.LlamaConfig.RopeScalingType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {

    @Test
    void stories260K() {
        try (GgufFile f = GgufFile.open(TestData.stories260K())) {
            LlamaConfig c = LlamaConfig.from(f);
            assertEquals(new LlamaConfig("llama", 64, 5, 8, 4, 8, 172, 2048, 10000f, 8, RopeScaling.NONE, 1e-5f, 512,
                    false, false), c);
            assertEquals(2, c.groupSize());
            assertEquals(32, c.kvDim());
        }
    }

    @Test
    void smolLm2() {
        try (GgufFile f = GgufFile.open(TestData.smolLm2())) {
            LlamaConfig c = LlamaConfig.from(f);
            assertEquals(new LlamaConfig("llama", 576, 30, 9, 3, 64, 1536, 8192, 100000f, 64, RopeScaling.NONE, 1e-5f,
                    49152, true, false), c);
        }
    }

    private static Map<String, MetadataValue> base(String arch) {
        Map<String, MetadataValue> m = new LinkedHashMap<>();
        m.put("general.architecture", MetadataValue.string(arch));
        m.put(arch + ".embedding_length", MetadataValue.uint32(2048));
        m.put(arch + ".block_count", MetadataValue.uint32(22));
        m.put(arch + ".attention.head_count", MetadataValue.uint32(32));
        m.put(arch + ".attention.head_count_kv", MetadataValue.uint32(4));
        m.put(arch + ".feed_forward_length", MetadataValue.uint32(5632));
        m.put(arch + ".context_length", MetadataValue.uint32(2048));
        m.put(arch + ".attention.layer_norm_rms_epsilon", MetadataValue.float32(1e-5f));
        m.put(arch + ".vocab_size", MetadataValue.uint32(32000));
        return m;
    }

    @Test
    void defaultsAndDerivedValues() {
        LlamaConfig c = LlamaConfig.from(new Metadata("t", base("llama")), n -> n.equals("output.weight"));
        assertEquals(64, c.headDim());
        assertEquals(64, c.ropeDimensionCount());
        assertEquals(10000f, c.ropeTheta());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        assertFalse(c.tiedEmbeddings());
        assertFalse(c.qkvBias());
        assertEquals(8, c.groupSize());
    }

    @Test
    void qwen2HasQkvBiasAndKeyLength() {
        Map<String, MetadataValue> m = base("qwen2");
        m.put("qwen2.attention.key_length", MetadataValue.uint32(128));
        m.put("qwen2.rope.freq_base", MetadataValue.float32(1000000f));
        LlamaConfig c = LlamaConfig.from(new Metadata("t", m));
        assertTrue(c.qkvBias());
        assertEquals(128, c.headDim());
        assertEquals(1000000f, c.ropeTheta());
    }

    @Test
    void ropeScaling() {
        Map<String, MetadataValue> m = base("llama");
        m.put("llama.rope.scaling.type", MetadataValue.string("linear"));
        m.put("llama.rope.scaling.factor", MetadataValue.float32(4f));
        assertEquals(new RopeScaling(RopeScalingType.LINEAR, 4f, 1f, 4f, 0),
                LlamaConfig.from(new Metadata("t", m)).ropeScaling());
        m.put("llama.rope.scaling.type", MetadataValue.string("llama3"));
        m.put("llama.rope.scaling.factor", MetadataValue.float32(8f));
        assertEquals(new RopeScaling(RopeScalingType.LLAMA3, 8f, 1f, 4f, 8192),
                LlamaConfig.from(new Metadata("t", m)).ropeScaling());
        m.put("llama.rope.scaling.type", MetadataValue.string("longrope"));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("t", m)));
        assertTrue(e.getMessage().contains("longrope"), e.getMessage());
    }

    @Test
    void unsupportedArchitectureNamesItAndTheSupportedOnes() {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> LlamaConfig.from(new Metadata("file.gguf", base("gemma2"))));
        assertTrue(e.getMessage().contains("file.gguf") && e.getMessage().contains("gemma2")
                && e.getMessage().contains("llama") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void contradictoryOrMissingKeysAreClearErrors() {
        Map<String, MetadataValue> m = base("llama");
        m.put("llama.attention.head_count_kv", MetadataValue.uint32(5));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("f", m)));
        assertTrue(e.getMessage().contains("head_count_kv") && e.getMessage().contains("5"), e.getMessage());

        Map<String, MetadataValue> m2 = base("llama");
        m2.put("llama.attention.head_count", MetadataValue.uint32(30));
        m2.put("llama.attention.head_count_kv", MetadataValue.uint32(30));
        e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("f", m2)));
        assertTrue(e.getMessage().contains("does not divide") && e.getMessage().contains("embedding_length"), e.getMessage());

        Map<String, MetadataValue> m3 = base("llama");
        m3.remove("llama.block_count");
        e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("f", m3)));
        assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("missing"), e.getMessage());

        Map<String, MetadataValue> m4 = base("llama");
        m4.put("llama.rope.dimension_count", MetadataValue.uint32(65));
        e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("f", m4)));
        assertTrue(e.getMessage().contains("rope dimension count 65"), e.getMessage());

        Map<String, MetadataValue> m5 = base("llama");
        m5.put("llama.embedding_length", MetadataValue.string("2048"));
        e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(new Metadata("f", m5)));
        assertTrue(e.getMessage().contains("STRING"), e.getMessage());
    }

    @Test
    void constructorValidates() {
        assertThrows(PanllamaException.class, () -> new LlamaConfig("llama", 64, 5, 8, 3, 8, 172, 2048, 10000f, 8,
                RopeScaling.NONE, 1e-5f, 512, false, false));
        assertThrows(PanllamaException.class, () -> new LlamaConfig("llama", 64, 0, 8, 4, 8, 172, 2048, 10000f, 8,
                RopeScaling.NONE, 1e-5f, 512, false, false));
        assertThrows(PanllamaException.class, () -> new LlamaConfig("falcon", 64, 5, 8, 4, 8, 172, 2048, 10000f, 8,
                RopeScaling.NONE, 1e-5f, 512, false, false));
    }
}
