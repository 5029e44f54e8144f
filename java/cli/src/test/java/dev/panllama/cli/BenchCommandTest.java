package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @Test
    void meanAndSampleStddevLikeLlamaBench() {
        BenchResult r = new BenchResult("m", 0, 0, 2, 0, 64, 1024, List.of(10.0, 12.0, 14.0), 5);
        assertEquals("tg64@d1024", r.test());
        assertEquals(12.0, r.mean(), 1e-12);
        assertEquals(2.0, r.stddev(), 1e-12); // sqrt(((-2)^2 + 0 + 2^2) / (3 - 1))
        assertEquals("pp128", new BenchResult("m", 0, 0, 1, 128, 0, 0, List.of(1.0), 0).test());
        assertEquals(0.0, new BenchResult("m", 0, 0, 1, 128, 0, 0, List.of(1.0), 0).stddev());
    }

    @Test
    void jsonObjectsHaveTheContractKeysAndThePlotIsDrawn(@TempDir Path dir) throws Exception {
        Path model = Cli.shared("models/stories260K.gguf");
        Path png = dir.resolve("depth.png");
        Cli r = Cli.run("bench", "-m", model.toString(), "-p", "8", "-n", "4", "-t", "1", "--depth", "0,16", "-r", "2",
                "--json", "--plot", png.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String out = r.out().strip();
        assertTrue(out.startsWith("[") && out.endsWith("]"), out);
        Matcher objects = Pattern.compile("\\{[^{}]*\\}").matcher(out);
        List<String> tests = new java.util.ArrayList<>();
        while (objects.find()) {
            String o = objects.group();
            assertEquals(List.of("model", "test", "threads", "n_prompt", "n_gen", "depth", "repetitions",
                    "tokens_per_second", "stddev", "kv_cache_bytes"), InspectCommandTest.keys(o));
            assertEquals(2, InspectCommandTest.number(o, "repetitions"));
            assertTrue(o.contains("\"model\": \"stories260K\""), o);
            Matcher t = Pattern.compile("\"test\": \"([^\"]+)\"").matcher(o);
            assertTrue(t.find());
            tests.add(t.group(1));
            // stories260K: 5 layers · K and V · 4 KV heads of 8 · 2 bytes = 640 bytes per token
            long tokens = InspectCommandTest.number(o, "depth") + InspectCommandTest.number(o, "n_prompt")
                    + InspectCommandTest.number(o, "n_gen");
            assertEquals(640 * tokens, InspectCommandTest.number(o, "kv_cache_bytes"), o);
        }
        assertEquals(List.of("pp8", "tg4", "pp8@d16", "tg4@d16"), tests);

        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == 0x1f77b4) blue++;
        }
        assertTrue(blue > 100, "the model's line is drawn (" + blue + " pixels)");
    }

    @Test
    void tableRowsAndBadArguments() {
        Path model = Cli.shared("models/stories260K.gguf");
        Cli r = Cli.run("bench", "-m", model.toString(), "-p", "4", "-n", "0", "-t", "1", "-r", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\| stories260K +\\| .* \\| +1 \\| +pp4 \\| .* ± .*\\|")), r.out());

        Cli none = Cli.run("bench", "-m", model.toString(), "-p", "0", "-n", "0");
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("nothing to measure"), none.err());
        Cli badPlot = Cli.run("bench", "-m", model.toString(), "--plot", "x.jpg");
        assertEquals(2, badPlot.exitCode());
    }
}
