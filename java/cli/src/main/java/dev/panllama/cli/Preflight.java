package dev.panllama.cli;

import dev.panllama.PanllamaException;
import dev.panllama.gguf.GgufFile;
import dev.panllama.inspect.KvCacheCosts;
import dev.panllama.inspect.KvType;
import dev.panllama.model.LlamaConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Checks made before a model is loaded for running, so that a mistake gets a sentence rather than
 * a crash: a vocab-only file, and a context whose KV cache cannot fit in memory (allocating it
 * anyway would zero more pages than the machine has and get the process killed).
 */
final class Preflight {
    private Preflight() {}

    /** The model's config and the context to use. */
    record Checked(LlamaConfig config, int contextLength) {}

    /** The context the user asked for, else the model's own capped at 4096 (the API's default). */
    static int contextLength(Integer requested, LlamaConfig c) {
        return requested != null ? requested : Math.min(c.contextLength(), dev.panllama.SessionOptions.DEFAULT_MAX_CONTEXT);
    }

    /**
     * Checks the file has weights and that the KV cache for the context (-c, else the default) fits
     * in the memory available now.
     */
    static Checked check(Path path, KvType kvType, Integer requestedCtx, PrintWriter err) {
        LlamaConfig c;
        try (GgufFile f = GgufFile.open(path)) {
            if (f.tensors().isEmpty()) {
                throw new PanllamaException(path + " holds a vocabulary but no weights: it can 'tokenize' and 'inspect',"
                        + " not run; give a full model with -m");
            }
            c = LlamaConfig.from(f);
        }
        int ctx = contextLength(requestedCtx, c);
        if (ctx > c.contextLength()) {
            err.printf(Locale.ROOT, "panllama: warning: a context of %d tokens is beyond the %d the model was trained for;"
                    + " text past that point will degrade%n", ctx, c.contextLength());
            err.flush();
        }
        long kv = KvCacheCosts.of(ModelFileAccounting.hyperparameters(c), kvType, ctx).bytesAtCtx();
        OptionalLong available = availableMemory();
        if (available.isPresent() && kv > available.getAsLong()) {
            throw new PanllamaException(notEnoughMemory(ctx, kvType, kv, available.getAsLong()));
        }
        return new Checked(c, ctx);
    }

    static String notEnoughMemory(int ctx, KvType kvType, long kvBytes, long available) {
        return "not enough memory for a context of " + ctx + " tokens: its " + kvType.label() + " KV cache needs "
                + InspectReport.bytes(kvBytes) + (available > 0 ? " and " + InspectReport.bytes(available) + " is available" : "")
                + "; use a smaller -c" + (kvType == KvType.Q8_0 ? "" : " or --kv-type q8_0 (about half the size)");
    }

    /** Memory the system can give us now: MemAvailable on Linux, else the free physical memory. */
    static OptionalLong availableMemory() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith("MemAvailable:")) {
                        String[] parts = line.trim().split("\\s+");
                        return OptionalLong.of(Long.parseLong(parts[1]) * 1024);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // fall through to the JMX figure
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return OptionalLong.of(os.getFreeMemorySize());
        }
        return OptionalLong.empty();
    }
}
