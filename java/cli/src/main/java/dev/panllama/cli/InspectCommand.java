package dev.panllama.cli;

import dev.panllama.inspect.Hyperparameters;
import dev.panllama.inspect.ModelAccounting;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panllama inspect}: where a model's parameters, memory and FLOPs go, from metadata or a shape. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Shows where a model's parameters, memory and FLOPs go, as exact integers.",
            "From a GGUF file's metadata (no weights are read) or from hyperparameters (--dim ...).",
            "",
            "Examples:",
            "  panllama inspect -m model.gguf --ctx 8192",
            "  panllama inspect --dim 4096 --layers 32 --heads 32 --ffn 11008 --vocab 32000",
            "  panllama inspect --json | jq .params.total"})
final class InspectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @CommandLine.ArgGroup(exclusive = false, heading = "%nHyperparameters instead of a file:%n")
    Shape shape;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    static final class Shape {
        @Option(names = "--dim", required = true, paramLabel = "D", description = "Model width.")
        int dim;

        @Option(names = "--layers", required = true, paramLabel = "L", description = "Transformer blocks.")
        int layers;

        @Option(names = "--heads", required = true, paramLabel = "H", description = "Query heads.")
        int heads;

        @Option(names = "--kv-heads", paramLabel = "K", description = "Key/value heads (default: --heads, i.e. MHA).")
        Integer kvHeads;

        @Option(names = "--head-dim", paramLabel = "N", description = "Width of a head (default: dim / heads).")
        Integer headDim;

        @Option(names = "--ffn", required = true, paramLabel = "F", description = "Feed-forward hidden width.")
        int ffn;

        @Option(names = "--vocab", required = true, paramLabel = "V", description = "Vocabulary size.")
        int vocab;

        @Option(names = "--tied", description = "The output head is the embedding.")
        boolean tied;

        Hyperparameters toHyperparameters() {
            int kv = kvHeads != null ? kvHeads : heads;
            if (headDim == null) {
                if (heads > 0 && dim % heads != 0) {
                    throw new IllegalArgumentException("--dim " + dim + " is not a multiple of --heads " + heads
                            + "; give --head-dim");
                }
                return Hyperparameters.of(dim, layers, heads, kv, ffn, vocab, tied);
            }
            return new Hyperparameters(dim, layers, heads, kv, headDim, ffn, vocab, tied, false);
        }
    }

    @Override
    public Integer call() {
        common.validate(spec.commandLine());
        int ctx = common.ctx != null ? common.ctx : 4096;
        String title;
        ModelAccounting a;
        if (shape != null) {
            if (common.model != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give either -m/--model or the hyperparameters (--dim ...), not both");
            }
            Hyperparameters h;
            try {
                h = shape.toHyperparameters();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            a = ModelAccounting.estimate(h, common.kvTypeOrDefault(), ctx);
            title = "Model of the given shape";
        } else {
            ModelFileAccounting m = ModelFileAccounting.read(ModelLocator.resolve(common.model, spec.commandLine().getErr()),
                    common.kvTypeOrDefault(), ctx);
            a = m.accounting();
            title = m.title();
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(InspectReport.json(a)));
        } else {
            out.print(InspectReport.text(title, a));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
