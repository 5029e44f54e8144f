package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void barShowsShareAndSizes() {
        ProgressBar b = new ProgressBar(new PrintWriter(new StringWriter()), "downloading", false);
        String line = b.line(50L << 20, 100L << 20, System.nanoTime());
        assertEquals("downloading [###############               ]  50% 50.0/100.0 MiB", line.substring(0, line.indexOf("  ", 60)));
    }

    @Test
    void withoutATerminalOnlyQuartersArePrinted() {
        StringWriter sw = new StringWriter();
        ProgressBar b = new ProgressBar(new PrintWriter(sw), "verifying", false);
        for (long done = 0; done <= 1000; done += 10) b.update(done, 1000);
        b.finish();
        assertEquals(5, sw.toString().lines().count(), sw.toString()); // 0, 25, 50, 75, 100 %
        assertEquals(false, sw.toString().contains("\r"));
    }

    @Test
    void onATerminalTheLineIsRedrawnAndEnded() {
        StringWriter sw = new StringWriter();
        ProgressBar b = new ProgressBar(new PrintWriter(sw), "downloading", true);
        b.update(10, 100);
        b.update(100, 100);
        b.finish();
        String s = sw.toString();
        assertEquals(true, s.startsWith("\rdownloading [") && s.contains("100%") && s.endsWith("\n"), s);
    }
}
