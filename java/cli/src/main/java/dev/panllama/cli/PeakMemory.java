package dev.panllama.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's peak resident set size, so `generate --verbose` can show what a run really cost next
 * to what it must cost (the mapped model file and the KV cache). Linux only: read from
 * /proc/self/status (VmHWM); elsewhere nothing is printed.
 */
final class PeakMemory {
    private PeakMemory() {}

    /** Peak RSS in bytes, if this platform reports it. */
    static OptionalLong peakRssBytes() {
        return parseVmHwm(Path.of("/proc/self/status"));
    }

    static OptionalLong parseVmHwm(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (!line.startsWith("VmHWM:")) continue;
                String[] parts = line.substring(6).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // not Linux, or not readable: report nothing
        }
        return OptionalLong.empty();
    }
}
