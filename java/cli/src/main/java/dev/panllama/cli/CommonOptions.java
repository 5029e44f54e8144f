package dev.panllama.cli;

import dev.panllama.inspect.KvType;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The flags every command takes (a picocli mixin). Unset values are null: each command picks its default. */
final class CommonOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "GGUF model file (default: $PANLLAMA_MODEL, else the default model, fetched on first use).")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N",
            description = "Context length in tokens (default: the model's, at most 4096).")
    Integer ctx;

    @Option(names = "--kv-type", paramLabel = "TYPE", converter = KvTypeConverter.class,
            description = "KV cache type: f16 (default) or q8_0.")
    KvType kvType;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed (default: random).")
    Long seed;

    @Option(names = "--verbose", description = "Print load time and prompt/generation speed on stderr.")
    boolean verbose;

    @Option(names = "--no-repack", description = "Multiply Q4/Q5/K-quant blocks as the file has them instead of "
            + "copying them at load into the interleaved layout the AVX2/AVX-512 kernels decode faster.")
    boolean noRepack;

    int threadsOrDefault() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    KvType kvTypeOrDefault() {
        return kvType != null ? kvType : KvType.F16;
    }

    /** Checks what picocli cannot: positive numbers. */
    void validate(picocli.CommandLine cl) {
        if (threads != null && threads < 1) {
            throw new picocli.CommandLine.ParameterException(cl, "--threads must be at least 1 (got " + threads + ")");
        }
        if (ctx != null && ctx < 1) {
            throw new picocli.CommandLine.ParameterException(cl, "--ctx must be at least 1 (got " + ctx + ")");
        }
    }

    /** f16 or q8_0 (f32 too, for experiments). */
    static final class KvTypeConverter implements picocli.CommandLine.ITypeConverter<KvType> {
        @Override
        public KvType convert(String value) {
            try {
                return KvType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
