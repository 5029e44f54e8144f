package dev.panllama.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads real files; expected values come from the python gguf package (gguf-py) reading the same files. */
class GgufFileTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void readsStories260K() {
        Path path = TestData.stories260K();
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(14176, f.dataOffset());
            assertEquals(1185376, f.fileSize());
            Metadata md = f.metadata();
            assertEquals(19, md.size()); // the header kv_count
            assertEquals("llama", md.getString("general.architecture"));
            assertEquals(ValueType.UINT32, md.type("llama.embedding_length"));
            assertEquals(64, md.getInt("llama.embedding_length"));
            assertEquals(5, md.getLong("llama.block_count"));
            assertEquals(1e-5f, md.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(4294967295L, md.getLong("tokenizer.ggml.padding_token_id"));
            assertThrows(GgufFormatException.class, () -> md.getInt("tokenizer.ggml.padding_token_id"));
            List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertEquals(512, tokens.size());
            assertEquals(ValueType.STRING, md.elementType("tokenizer.ggml.tokens"));
            assertEquals(512, md.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(512, md.getIntArray("tokenizer.ggml.token_type").length);

            assertEquals(48, f.tensors().size());
            TensorInfo embd = f.requireTensor("token_embd.weight");
            assertEquals(GgmlType.F32, embd.type());
            assertArrayEquals(new long[] {64, 512}, embd.shape());
            assertEquals(64, embd.rowLength());
            assertEquals(512, embd.rows());
            assertEquals(64 * 512, embd.elementCount());
            assertEquals(0, embd.offset());
            assertEquals(64 * 512 * 4, embd.byteSize());
            TensorInfo k = f.requireTensor("blk.0.attn_k.weight");
            assertArrayEquals(new long[] {64, 32}, k.shape());
            assertEquals(292960 - 14176, k.offset());
            TensorInfo last = f.tensors().get(47);
            assertEquals("blk.4.ffn_norm.weight", last.name());
            assertEquals(1185120 - 14176, last.offset());
            assertEquals(f.fileSize(), f.dataOffset() + last.offset() + last.byteSize());

            MemorySegment norm = f.data("output_norm.weight");
            assertEquals(256, norm.byteSize());
            assertTrue(norm.isReadOnly());
            // the slice is the mapped bytes at the absolute offset gguf-py reports
            assertEquals(f.segment().get(F32, 145248), norm.get(F32, 0));
            assertTrue(f.tensor("nope").isEmpty());
        }
    }

    @Test
    void readsSmolLm2() {
        Path path = TestData.smolLm2();
        try (GgufFile f = GgufFile.open(path)) {
            Metadata md = f.metadata();
            assertEquals(33, md.size());
            assertEquals(1785664, f.dataOffset());
            assertEquals(272, f.tensors().size());
            assertEquals("gpt2", md.getString("tokenizer.ggml.model"));
            assertEquals("smollm", md.getString("tokenizer.ggml.pre"));
            assertFalse(md.getBool("tokenizer.ggml.add_bos_token"));
            assertEquals(100000f, md.getFloat("llama.rope.freq_base"));
            List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertEquals(49152, tokens.size());
            assertEquals(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), tokens.subList(0, 3));
            assertEquals("ectable", tokens.get(49151));
            assertEquals(48900, md.getStringArray("tokenizer.ggml.merges").size());
            assertTrue(md.getString("tokenizer.chat_template").startsWith("{% for message in messages %}"));
            assertEquals(List.of("en"), md.getStringArray("general.languages"));

            TensorInfo embd = f.requireTensor("token_embd.weight");
            assertEquals(GgmlType.Q8_0, embd.type());
            assertArrayEquals(new long[] {576, 49152}, embd.shape());
            assertEquals(30081024, embd.byteSize());
            TensorInfo down = f.requireTensor("blk.0.ffn_down.weight");
            assertEquals(GgmlType.Q4_1, down.type());
            assertArrayEquals(new long[] {1536, 576}, down.shape());
            assertEquals(552960, down.byteSize());
            assertEquals(31868992 - 1785664, down.offset());
            assertTrue(f.tensor("output.weight").isEmpty());
        }
    }

    @Test
    void closedFileIsAClearError() {
        GgufFile f = GgufFile.open(TestData.stories260K());
        MemorySegment norm = f.data("output_norm.weight");
        f.close();
        f.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, f::metadata);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> f.data("output_norm.weight"));
        assertThrows(IllegalStateException.class, () -> norm.get(F32, 0)); // the mapping is gone
    }

    @Test
    void missingTensorAndKeyNameFileAndName() {
        Path path = TestData.stories260K();
        try (GgufFile f = GgufFile.open(path)) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.requireTensor("output.bias"));
            assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("output.bias"), e.getMessage());
            e = assertThrows(GgufFormatException.class, () -> f.metadata().getString("llama.block_count"));
            assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("llama.block_count")
                    && e.getMessage().contains("STRING") && e.getMessage().contains("UINT32"), e.getMessage());
            e = assertThrows(GgufFormatException.class, () -> f.metadata().getInt("no.such.key"));
            assertTrue(e.getMessage().contains("no.such.key") && e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void missingFileIsAPanllamaException() {
        PanllamaException e = assertThrows(PanllamaException.class, () -> GgufFile.open(Path.of("/nonexistent/x.gguf")));
        assertTrue(e.getMessage().contains("/nonexistent/x.gguf"), e.getMessage());
    }

    @Test
    void readsVocabOnlyFile() {
        try (GgufFile f = GgufFile.open(TestData.vocab("llama-spm"))) {
            assertEquals(0, f.tensors().size());
            assertEquals(32000, f.metadata().arrayLength("tokenizer.ggml.tokens"));
        }
    }
}
