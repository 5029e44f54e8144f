package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeakMemoryTest {
    @Test
    void readsVmHwmInBytes(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmPeak:\t 8000000 kB\nVmHWM:\t  738648 kB\nVmRSS:\t  700000 kB\n");
        assertEquals(OptionalLong.of(738648L * 1024), PeakMemory.parseVmHwm(status));
    }

    @Test
    void nothingWhenAbsentOrMalformed(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmHWM:\t lots\n");
        assertTrue(PeakMemory.parseVmHwm(status).isEmpty());
        assertTrue(PeakMemory.parseVmHwm(dir.resolve("missing")).isEmpty());
    }

    @Test
    void thisProcessOnLinux() {
        if (!System.getProperty("os.name").startsWith("Linux")) return;
        long rss = PeakMemory.peakRssBytes().orElseThrow();
        long heapUsed = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(rss > heapUsed / 4 && rss > 10L << 20, "peak RSS " + rss);
    }
}
