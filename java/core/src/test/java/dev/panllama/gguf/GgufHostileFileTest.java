package dev.panllama.gguf;

import static dev.panllama.gguf.HostileFiles.offsetOf;
import static dev.panllama.gguf.HostileFiles.parse;
import static dev.panllama.gguf.HostileFiles.patchBytes;
import static dev.panllama.gguf.HostileFiles.patchU32;
import static dev.panllama.gguf.HostileFiles.patchU64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panllama.gguf.HostileFiles.Field;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated and corrupted files must give a GgufFormatException naming the file, the field and
 * the value, before any tensor slice is handed out.
 */
class GgufHostileFileTest {
    @TempDir Path tmp;

    // ---- truncation ------------------------------------------------------------------------------

    /**
     * Cut offsets: the start of every field and one byte into it, and the first and last byte of
     * every tensor. With {@code arrayEnds > 0}, only the first and last {@code arrayEnds} elements of
     * each array (and a seeded sample of 100 others): re-parsing a 32000-token vocabulary at each of
     * its 64000 string boundaries takes minutes.
     */
    private static TreeSet<Long> cuts(GgufFile f, List<Field> fields, int arrayEnds) {
        TreeSet<Long> cuts = new TreeSet<>();
        List<Field> kept = new ArrayList<>();
        List<Field> interior = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Field fl = fields.get(i);
            int bracket = fl.name().lastIndexOf('[');
            if (arrayEnds <= 0 || bracket < 0 || !fl.name().endsWith("]")) {
                kept.add(fl);
                continue;
            }
            String base = fl.name().substring(0, bracket);
            int index = Integer.parseInt(fl.name().substring(bracket + 1, fl.name().length() - 1));
            boolean lastFew = true;
            for (int j = i + 1; j < fields.size() && j <= i + 2 * arrayEnds; j++) {
                if (!fields.get(j).name().startsWith(base + "[")) break;
                if (j == i + 2 * arrayEnds) lastFew = false;
            }
            if (index < arrayEnds || lastFew) kept.add(fl);
            else interior.add(fl);
        }
        java.util.Collections.shuffle(interior, new Random(42));
        kept.addAll(interior.subList(0, Math.min(100, interior.size())));
        for (Field fl : kept) {
            cuts.add(fl.offset());
            cuts.add(fl.offset() + 1);
        }
        for (TensorInfo t : f.tensors()) {
            cuts.add(f.dataOffset() + t.offset());
            cuts.add(f.dataOffset() + t.offset() + t.byteSize() - 1);
        }
        cuts.add(0L);
        return cuts;
    }

    /** Parses every cut (prefix) of the file; each must fail with a clear "truncated" error. */
    private static int assertTruncationsFail(GgufFile f, Iterable<Long> cuts) {
        MemorySegment seg = f.segment();
        List<Field> fields = HostileFiles.fields(seg);
        long headerEnd = fields.getLast().offset();
        String name = "cut-" + f.path().getFileName();
        int checked = 0;
        for (long cut : cuts) {
            if (cut >= f.fileSize()) continue;
            if (cut >= headerEnd && f.tensors().isEmpty()) continue; // nothing is missing
            try {
                GgufParser.parse(seg.asSlice(0, cut), name);
                fail("a cut at " + cut + " of " + f.fileSize() + " bytes parsed without error");
            } catch (GgufFormatException e) {
                String m = e.getMessage();
                if (!m.startsWith(name + ": ") || !m.contains("truncated")) {
                    fail("cut at " + cut + ": unclear message: " + m);
                }
            }
            checked++;
        }
        return checked;
    }

    @Test
    void truncationAtEveryBoundaryOfStories260K() {
        try (GgufFile f = GgufFile.open(TestData.stories260K())) {
            List<Field> fields = HostileFiles.fields(f.segment());
            int n = assertTruncationsFail(f, cuts(f, fields, 0));
            assertTrue(n > 2800, "only " + n + " cuts"); // 19 kvs with 3x512-element arrays, 48 tensors
        }
    }

    @Test
    void truncationAtTheBoundariesOfAVocabFile() {
        try (GgufFile f = GgufFile.open(TestData.vocab("llama-spm"))) {
            List<Field> fields = HostileFiles.fields(f.segment());
            int n = assertTruncationsFail(f, cuts(f, fields, 3));
            assertTrue(n > 400, "only " + n + " cuts");
        }
    }

    @Test
    void truncationAtASampleOfSmolLm2Boundaries() {
        try (GgufFile f = GgufFile.open(TestData.smolLm2())) {
            List<Long> all = new ArrayList<>(cuts(f, HostileFiles.fields(f.segment()), 0));
            Random rnd = new Random(20261127);
            TreeSet<Long> sample = new TreeSet<>();
            while (sample.size() < 100) sample.add(all.get(rnd.nextInt(all.size())));
            assertEquals(100, assertTruncationsFail(f, sample));
        }
    }

    @Test
    void truncatedFilesOnDiskFailToOpen() throws IOException {
        byte[] full = Files.readAllBytes(TestData.stories260K());
        for (int cut : new int[] {0, 3, 4, 7, 8, 23, 24, 100, 14175, 14176, 20000, full.length - 1}) {
            Path p = tmp.resolve("cut" + cut + ".gguf");
            Files.write(p, java.util.Arrays.copyOf(full, cut));
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
            assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    // ---- corrupt header fields -------------------------------------------------------------------

    private static byte[] stories() throws IOException {
        return Files.readAllBytes(TestData.stories260K());
    }

    private static List<Field> fieldsOf(byte[] b) {
        return HostileFiles.fields(MemorySegment.ofArray(b));
    }

    /** Parses and expects an error whose message names the file and contains each fragment. */
    private static void assertRejected(byte[] file, String... fragments) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> parse(file, "bad.gguf"));
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.gguf: "), m);
        for (String f : fragments) assertTrue(m.contains(f), "'" + f + "' not in: " + m);
    }

    @Test
    void badMagicAndVersion() throws IOException {
        byte[] s = stories();
        assertRejected(patchBytes(s, 0, "GGML".getBytes(StandardCharsets.US_ASCII)), "magic", "not a GGUF file");
        assertRejected(patchU32(s, 4, 1), "version", "v1");
        assertRejected(patchU32(s, 4, 4), "version", "4 is not supported");
        assertRejected(patchU32(s, 4, 0xFFFFFFFF), "version", "4294967295");
        assertRejected(patchU32(s, 4, 0x03000000), "version", "big-endian");
    }

    @Test
    void version2IsRead() throws IOException {
        // v2 and v3 share the little-endian layout (v3 only added big-endian files)
        GgufParser.Result r = parse(patchU32(stories(), 4, 2), "v2.gguf");
        assertEquals(2, r.version());
        assertEquals(48, r.tensors().size());
    }

    @Test
    void absurdCounts() throws IOException {
        byte[] s = stories();
        assertRejected(patchU64(s, 8, -1L), "tensor_count", "18446744073709551615", "exceeds the limit");
        assertRejected(patchU64(s, 8, 1L << 20), "tensor_count", "1048576", "remain");
        assertRejected(patchU64(s, 8, (1L << 20) + 1), "tensor_count", "1048577", "exceeds the limit");
        assertRejected(patchU64(s, 16, 1L << 40), "kv_count", "1099511627776");
        assertRejected(patchU64(s, 16, 100_000), "kv_count", "100000", "remain");
        assertThrows(GgufFormatException.class, () -> parse(patchU64(s, 8, 49), "bad.gguf"));
        assertThrows(GgufFormatException.class, () -> parse(patchU64(s, 16, 20), "bad.gguf"));
    }

    @Test
    void absurdStringAndArrayLengths() throws IOException {
        byte[] s = stories();
        List<Field> f = fieldsOf(s);
        long keyLen = offsetOf(f, "metadata[0] key length");
        assertRejected(patchU64(s, keyLen, -1L), "metadata[0] key length", "18446744073709551615", "limit");
        assertRejected(patchU64(s, keyLen, 1 << 17), "metadata[0] key length", "131072", "limit");
        long tokens = offsetOf(f, "metadata key 'tokenizer.ggml.tokens' length");
        assertRejected(patchU64(s, tokens, Long.MAX_VALUE), "tokenizer.ggml.tokens' length",
                "9223372036854775807", "limit");
        assertRejected(patchU64(s, tokens, 10_000_000), "tokenizer.ggml.tokens' length", "10000000", "remain");
        long tok5 = offsetOf(f, "metadata key 'tokenizer.ggml.tokens'[5]");
        assertRejected(patchU64(s, tok5, 1L << 40), "tokenizer.ggml.tokens'[5] length", "1099511627776");
        assertRejected(patchU64(s, tok5, 2_000_000), "tokenizer.ggml.tokens'[5]", "truncated", "2000000");
        long scores = offsetOf(f, "metadata key 'tokenizer.ggml.scores' length");
        assertRejected(patchU64(s, scores, 1_000_000), "tokenizer.ggml.scores' length", "1000000", "remain");
    }

    @Test
    void unknownTypeIds() throws IOException {
        byte[] s = stories();
        List<Field> f = fieldsOf(s);
        assertRejected(patchU32(s, offsetOf(f, "metadata key 'general.architecture' type"), 13),
                "general.architecture' type", "unknown value type id 13");
        assertRejected(patchU32(s, offsetOf(f, "metadata key 'tokenizer.ggml.tokens' element type"), -1),
                "tokenizer.ggml.tokens' element type", "4294967295");
        String q = "tensor 'blk.0.attn_q.weight'";
        assertRejected(patchU32(s, offsetOf(f, q + " type"), 4), q + " type", "unknown ggml type id 4");
        assertRejected(patchU32(s, offsetOf(f, q + " type"), 1000), q + " type", "1000");
        assertRejected(patchU32(s, offsetOf(f, q + " type"), GgmlType.Q4_K.id()), q + " ne[0]", "64",
                "block size 256");
    }

    @Test
    void badDimensions() throws IOException {
        byte[] s = stories();
        List<Field> f = fieldsOf(s);
        String q = "tensor 'blk.0.attn_q.weight'";
        assertRejected(patchU32(s, offsetOf(f, q + " n_dims"), 0), q + " n_dims", "0 is not in [1, 4]");
        assertRejected(patchU32(s, offsetOf(f, q + " n_dims"), 5), q + " n_dims", "5");
        assertRejected(patchU32(s, offsetOf(f, q + " n_dims"), -1), q + " n_dims", "4294967295");
        assertRejected(patchU64(s, offsetOf(f, q + " ne[0]"), 0), q + " ne[0]", "0", ">= 1");
        assertRejected(patchU64(s, offsetOf(f, q + " ne[1]"), -1L), q + " ne[1]", "18446744073709551615");
        byte[] big = patchU64(patchU64(s, offsetOf(f, q + " ne[0]"), 1L << 40), offsetOf(f, q + " ne[1]"), 1L << 40);
        assertRejected(big, q + " shape", "overflows");
        assertRejected(patchU64(s, offsetOf(f, q + " ne[1]"), 1L << 30), q + " data", "beyond");
    }

    @Test
    void badTensorOffsets() throws IOException {
        byte[] s = stories();
        List<Field> f = fieldsOf(s);
        String k = "tensor 'blk.0.attn_k.weight'";
        assertRejected(patchU64(s, offsetOf(f, k + " offset"), 33), k + " offset", "33", "alignment 32");
        assertRejected(patchU64(s, offsetOf(f, k + " offset"), -32L), k + " offset", "18446744073709551584");
        assertRejected(patchU64(s, offsetOf(f, k + " offset"), 1L << 40), k + " data", "1099511627776", "beyond");
        assertRejected(patchU64(s, offsetOf(f, k + " offset"), 2048), "overlap", "token_embd.weight");
    }

    @Test
    void duplicatesAndBadBool() throws IOException {
        byte[] s = stories();
        List<Field> f = fieldsOf(s);
        // rename blk.0.attn_k.weight to blk.0.attn_q.weight (same length)
        long k = offsetOf(f, "tensor[4] name");
        assertRejected(patchBytes(s, k, "blk.0.attn_q.weight".getBytes(StandardCharsets.US_ASCII)),
                "blk.0.attn_q.weight", "duplicate tensor");
        // rename tokenizer.ggml.eos_token_id to tokenizer.ggml.bos_token_id
        long eos = offsetOf(f, "metadata[8] key");
        assertRejected(patchBytes(s, eos, "tokenizer.ggml.bos_token_id".getBytes(StandardCharsets.US_ASCII)),
                "tokenizer.ggml.bos_token_id", "duplicate key");
    }

    @Test
    void badBoolAndAlignmentAndNesting() throws IOException {
        byte[] golden = Files.readAllBytes(Goldens.path());
        List<Field> g = fieldsOf(golden);
        assertRejected(patchBytes(golden, offsetOf(g, "metadata key 't.bool'"), new byte[] {2}), "t.bool", "BOOL byte 2");
        assertRejected(patchBytes(golden, offsetOf(g, "metadata key 't.arr.bool'[1]"), new byte[] {-1}),
                "t.arr.bool'[1]", "255");

        Path p = tmp.resolve("aligned.gguf");
        new GgufWriter(64).addTensor("x", new long[] {4}, new float[4]).write(p);
        byte[] a = Files.readAllBytes(p);
        long align = offsetOf(fieldsOf(a), "metadata key 'general.alignment'");
        assertRejected(patchU32(a, align, 48), "general.alignment", "48", "power of two");
        assertRejected(patchU32(a, align, 0), "general.alignment", "0", "power of two");
        assertRejected(patchU32(a, align, 1 << 31), "general.alignment", "2147483648");
        // an alignment as large as allowed pushes the data section past the end of the file
        assertRejected(patchU32(a, align, 1 << 30), "data section", "beyond the end");

        MetadataValue v = MetadataValue.array(ValueType.INT32, new int[] {1});
        for (int i = 0; i < 9; i++) v = MetadataValue.array(ValueType.ARRAY, new MetadataValue[] {v});
        Path deep = tmp.resolve("deep.gguf");
        new GgufWriter().put("deep", v).write(deep);
        assertRejected(Files.readAllBytes(deep), "deep", "nested deeper than 8");
    }
}
