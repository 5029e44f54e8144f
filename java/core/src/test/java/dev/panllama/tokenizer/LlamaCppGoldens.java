package dev.panllama.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One resources/tokenizer/NAME.tsv file written by make_goldens.mjs: llama.cpp's answers for one vocabulary. */
record LlamaCppGoldens(List<Case> cases, int[] endOfGeneration, Map<String, String> meta) {

    record Case(boolean parseSpecial, String text, int[] ids, String detokenized) {}

    static LlamaCppGoldens load(String name) {
        try (InputStream in = LlamaCppGoldens.class.getResourceAsStream("/tokenizer/" + name + ".tsv")) {
            if (in == null) throw new IllegalStateException("no golden file for " + name);
            List<Case> cases = new ArrayList<>();
            int[] eog = new int[0];
            Map<String, String> meta = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] c = line.split("\t");
                switch (c[0]) {
                    case "encode" -> cases.add(new Case(c[1].equals("1"), b64(c[2]), ids(c[3]), b64(c[4])));
                    case "eog" -> eog = c.length > 1 ? ids(c[1]) : new int[0];
                    case "meta" -> {
                        for (int i = 1; i < c.length; i++) {
                            String[] kv = c[i].split("=", 2);
                            meta.put(kv[0], kv[1]);
                        }
                    }
                    default -> throw new IllegalStateException("bad golden line: " + line);
                }
            }
            return new LlamaCppGoldens(cases, eog, meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int metaInt(String key) {
        return Integer.parseInt(meta.get(key));
    }

    boolean metaBool(String key) {
        return Boolean.parseBoolean(meta.get(key));
    }

    private static String b64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static int[] ids(String s) {
        return s.isBlank() ? new int[0] : Arrays.stream(s.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    }
}
