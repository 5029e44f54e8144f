package dev.panllama.tokenizer;

import dev.panllama.gguf.GgufFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Prints how long encoding about 1 MB of English text takes. A measurement to read, not a test:
 * {@code java ... dev.panllama.tokenizer.EncodeSpeed MODEL.gguf [TEXT_FILE]} (without a text file,
 * a deterministic synthetic English text is used).
 */
public final class EncodeSpeed {
    private static final String[] WORDS = ("the of and to a in is that for it as was with be by on not he this are or his "
            + "from at which but have an they you were her she there their one all we can has been if more when will "
            + "would who so no what up out about into than them its only other time new some could these two may first "
            + "then do any like my now over such our man me even most made after also did many before must through back "
            + "years where much your way well down should because each just those people how too little state good very "
            + "make world still own see men work long get here between both life being under never day same another know "
            + "while last might us great old year off come since against go came right used take three states himself "
            + "few house use during without again place American around however home small found Mrs thought went say "
            + "part once general high upon school every don't does got united left number course war until always away "
            + "something fact though water less public put thing almost hand enough far took head yet government system "
            + "better set told nothing night end why called didn't eyes find going look asked later knew point next program "
            + "city business give group toward young days let room president side social present given several order "
            + "national possible rather second face per among form important often things looked early white case John "
            + "become large big need four within felt along children saw best church ever least power development light "
            + "tokenizer llama inference kernel memory quantization matrix vector attention transformer model Java").split(" ");

    private EncodeSpeed() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: EncodeSpeed MODEL.gguf [TEXT_FILE]");
            System.exit(2);
        }
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(Path.of(args[0]))) {
            tok = Tokenizer.fromMetadata(f.metadata());
        }
        String text = args.length > 1 ? Files.readString(Path.of(args[1])) : syntheticEnglish(1 << 20);
        System.out.println(measure(tok, text));
    }

    /**
     * One line: size, tokens, and timings of the first (cold) run and the best of five warm runs,
     * as wall-clock time and as this thread's CPU time (the latter is what to compare on a busy machine).
     */
    static String measure(Tokenizer tok, String text) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        int tokens = tok.encode(text, false, false).length;
        long coldWall = System.nanoTime() - t0, coldCpu = mx.getCurrentThreadCpuTime() - c0;
        long bestWall = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long c = mx.getCurrentThreadCpuTime(), t = System.nanoTime();
            tok.encode(text, false, false);
            bestWall = Math.min(bestWall, System.nanoTime() - t);
            bestCpu = Math.min(bestCpu, mx.getCurrentThreadCpuTime() - c);
        }
        int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return String.format("encode %.2f MB -> %d tokens: first run %.3f s (cpu %.3f s), best of 5 %.3f s (cpu %.3f s)",
                bytes / 1e6, tokens, coldWall / 1e9, coldCpu / 1e9, bestWall / 1e9, bestCpu / 1e9);
    }

    /** Deterministic English-like text: Zipf-distributed common words, sentences, numbers, paragraphs. */
    static String syntheticEnglish(int bytes) {
        SplittableRandom rnd = new SplittableRandom(42);
        double[] cdf = new double[WORDS.length];
        double sum = 0;
        for (int i = 0; i < WORDS.length; i++) cdf[i] = sum += 1.0 / (i + 1);
        StringBuilder sb = new StringBuilder(bytes + 256);
        boolean sentenceStart = true;
        while (sb.length() < bytes) {
            String w;
            if (rnd.nextInt(40) == 0) {
                w = Integer.toString(rnd.nextInt(100_000));
            } else {
                double x = rnd.nextDouble() * sum;
                int i = java.util.Arrays.binarySearch(cdf, x);
                w = WORDS[i < 0 ? -i - 1 : i];
            }
            if (sentenceStart) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            sb.append(w);
            sentenceStart = false;
            int r = rnd.nextInt(100);
            if (r < 7) {
                sb.append(". ");
                sentenceStart = true;
                if (rnd.nextInt(8) == 0) sb.append("\n\n");
            } else if (r < 12) {
                sb.append(", ");
            } else {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
