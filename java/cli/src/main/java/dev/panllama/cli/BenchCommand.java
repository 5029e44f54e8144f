package dev.panllama.cli;

import dev.panllama.gguf.GgufFile;
import dev.panllama.gguf.TensorInfo;
import dev.panllama.inspect.KvType;
import dev.panllama.inspect.ParameterCounts;
import dev.panllama.model.LlamaModel;
import dev.panllama.model.StateOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code panllama bench}: prompt and generation throughput, like llama-bench. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures prompt processing (pp) and generation (tg) speed, like llama-bench.",
            "Random tokens, one warm-up, then -r runs; the mean and sample standard deviation of tokens/s.",
            "--depth runs the tests again with that many tokens already in the KV cache (tg64@d1024).",
            "",
            "Examples:",
            "  panllama bench -p 128,512 -n 64 -t 1,2",
            "  panllama bench -m a.gguf -m b.gguf -p 0 -n 32 --depth 0,1024,4096 --plot depth.png"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "Model file; repeat to compare models (default: $PANLLAMA_MODEL or the default model).")
    List<Path> models = new ArrayList<>();

    @Option(names = {"-p", "--n-prompt"}, split = ",", paramLabel = "N",
            description = "Prompt lengths to time, comma separated; 0 skips (default: 128).")
    List<Integer> prompts = new ArrayList<>(List.of(128));

    @Option(names = {"-n", "--n-gen"}, split = ",", paramLabel = "N",
            description = "Generation lengths to time, comma separated; 0 skips (default: 64).")
    List<Integer> gens = new ArrayList<>(List.of(64));

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N",
            description = "Thread counts, comma separated (default: all cores).")
    List<Integer> threads = new ArrayList<>();

    @Option(names = {"-d", "--depth"}, split = ",", paramLabel = "N",
            description = "Tokens in the KV cache before each test, comma separated (default: 0).")
    List<Integer> depths = new ArrayList<>(List.of(0));

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "Timed runs per test (default: 3).")
    int repetitions = 3;

    @Option(names = "--kv-type", paramLabel = "TYPE", converter = CommonOptions.KvTypeConverter.class,
            description = "KV cache type: f16 (default) or q8_0.")
    KvType kvType = KvType.F16;

    @Option(names = "--json", description = "Print one JSON array (one object per model, test and thread count).")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw generation tok/s against depth, one line per model.")
    Path plot;

    @Option(names = "--verbose", description = "Print each run's speed on stderr.")
    boolean verbose;

    @Option(names = "--no-repack",
            description = "Multiply Q4/Q5/K-quant blocks as the file has them (no interleaved copy at load).")
    boolean noRepack;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (threads.isEmpty()) threads.add(Runtime.getRuntime().availableProcessors());
        check(cl, "-p", prompts, 0);
        check(cl, "-n", gens, 0);
        check(cl, "-t", threads, 1);
        check(cl, "--depth", depths, 0);
        if (repetitions < 1) throw new CommandLine.ParameterException(cl, "-r must be at least 1 (got " + repetitions + ")");
        if (prompts.stream().allMatch(p -> p == 0) && gens.stream().allMatch(n -> n == 0)) {
            throw new CommandLine.ParameterException(cl, "nothing to measure: -p and -n are all 0");
        }
        if (plot != null && gens.stream().allMatch(n -> n == 0)) {
            throw new CommandLine.ParameterException(cl, "--plot draws generation speed: give -n above 0");
        }
        if (plot != null && !plot.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new CommandLine.ParameterException(cl, "--plot writes a PNG: give a file name ending in .png");
        }
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        List<Path> paths = new ArrayList<>();
        if (models.isEmpty()) paths.add(ModelLocator.resolve(null, err));
        for (Path m : models) paths.add(ModelLocator.resolve(m, err));

        int kv = switch (kvType) {
            case F32 -> StateOptions.KV_F32;
            case F16 -> StateOptions.KV_F16;
            case Q8_0 -> StateOptions.KV_Q8_0;
        };
        List<BenchResult> results = new ArrayList<>();
        if (!json) {
            out.println("| model                          |       size |     params | threads |            test |                  t/s |");
            out.println("| ------------------------------ | ---------: | ---------: | ------: | --------------: | -------------------: |");
            out.flush();
        }
        BenchRunner runner = new BenchRunner();
        int maxCtx = 0;
        for (int d : depths) maxCtx = Math.max(maxCtx, d + Math.max(prompts.stream().max(Integer::compare).orElse(0),
                gens.stream().max(Integer::compare).orElse(0)));
        for (Path path : paths) Preflight.check(path, kvType, maxCtx, err);
        for (Path path : paths) {
            try (GgufFile file = GgufFile.open(path); LlamaModel model = LlamaModel.load(file, !noRepack)) {
                String name = path.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
                long size = 0;
                for (TensorInfo t : model.file().tensors()) size += t.byteSize();
                long params = ParameterCounts.of(ModelFileAccounting.hyperparameters(model.config())).total();
                for (int t : threads) {
                    for (int depth : depths) {
                        List<int[]> tests = new ArrayList<>();
                        for (int p : prompts) if (p > 0) tests.add(new int[] {p, 0});
                        for (int n : gens) if (n > 0) tests.add(new int[] {0, n});
                        for (int[] test : tests) {
                            String label = name + " " + (test[0] > 0 ? "pp" + test[0] : "tg" + test[1])
                                    + (depth > 0 ? "@d" + depth : "") + " t" + t;
                            BenchResult r = runner.run(model, name, size, params, kv, t, test[0], test[1], depth,
                                    repetitions, (done, total) -> {
                                        if (verbose) err.printf(Locale.ROOT, "bench: %s run %d/%d%n", label, done, total);
                                    });
                            results.add(r);
                            if (!json) {
                                out.println(row(r));
                                out.flush();
                            }
                        }
                    }
                }
            }
        }
        if (json) {
            List<Object> array = new ArrayList<>();
            for (BenchResult r : results) array.add(r.json());
            out.println(Json.write(array));
            out.flush();
        }
        if (plot != null) {
            BenchPlot.write(results, plot);
            err.println("bench: wrote " + plot);
        }
        return ExitCodes.OK;
    }

    static String row(BenchResult r) {
        return String.format(Locale.ROOT, "| %-30s | %7.2f MiB | %8.2f M | %7d | %15s | %9.2f ± %8.2f |", r.model(),
                r.sizeBytes() / 1048576.0, r.params() / 1e6, r.threads(), r.test(), r.mean(), r.stddev());
    }

    private static void check(CommandLine cl, String flag, List<Integer> values, int min) {
        for (int v : values) {
            if (v < min) throw new CommandLine.ParameterException(cl, flag + " values must be at least " + min + " (got " + v + ")");
        }
    }
}
