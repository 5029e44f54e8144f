package dev.panllama.cli;

import dev.panllama.ChatMessage;
import dev.panllama.Conversation;
import dev.panllama.GenerateOptions;
import dev.panllama.GenerationResult;
import dev.panllama.PanllamaException;
import dev.panllama.StopReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panllama chat}: talk to a model, like {@code ollama run}. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Talks to a model, like ollama run: its chat template, streamed answers.",
            "Line editing and history (arrows, Ctrl-R), multi-line messages between \"\"\" and \"\"\",",
            "/help for commands. Ctrl-C stops an answer, Ctrl-D or /bye leaves.",
            "Piped input is one message: echo 'Why is the sky blue?' | panllama chat",
            "",
            "Examples:",
            "  panllama chat",
            "  panllama chat -m model.gguf --system 'You are a pirate.' --temp 0.7"})
final class ChatCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message to start the conversation with.")
    String system;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N",
            description = "Tokens per answer at most; -1 until the model ends it or the context is full (default: -1).")
    int maxTokens = -1;

    @Mixin
    SamplingFlags sampling;

    @Option(names = "--ignore-eos", description = "Keep answering past the model's end-of-turn token (for tests and benchmarks).")
    boolean ignoreEos;

    /** The conversation and the last answer, shared by the interactive and the piped modes. */
    static final class State {
        final LoadedModel model;
        final GenerateOptions options;
        Conversation conversation;
        GenerationResult last;

        State(LoadedModel model, GenerateOptions options, String system) {
            this.model = model;
            this.options = options;
            this.conversation = model.session.newConversation(system);
        }

        String systemPrompt() {
            List<ChatMessage> m = conversation.messages();
            return !m.isEmpty() && m.getFirst().role().equals("system") ? m.getFirst().content() : null;
        }

        /** Replaces (or with null removes) the system message, keeping the turns. */
        void setSystem(String text) {
            List<ChatMessage> turns = conversation.messages();
            conversation = model.session.newConversation(text);
            for (ChatMessage m : turns) {
                if (!m.role().equals("system")) conversation.add(m);
            }
        }

        void clear() {
            conversation.clear();
            model.session.clearCache();
            last = null;
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        common.validate(cl);
        if (maxTokens < -1) throw new CommandLine.ParameterException(cl, "-n must be -1 or more (got " + maxTokens + ")");
        GenerateOptions options;
        try {
            options = sampling.apply(GenerateOptions.builder(), common.seed).maxTokens(maxTokens).ignoreEos(ignoreEos).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        boolean interactive = System.console() != null && System.console().isTerminal();
        if (!interactive) return piped(options);
        try (LoadedModel m = LoadedModel.open(common, cl.getErr())) {
            return new ChatRepl(new State(m, options, system), cl.getErr(), common.verbose).run();
        }
    }

    /** Piped input: all of stdin is one message; the answer goes to stdout. */
    private int piped(GenerateOptions options) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String message = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (message.isEmpty()) {
            throw new PanllamaException("nothing to answer: standard input was empty (pipe a message in, or run chat in a terminal)");
        }
        try (LoadedModel m = LoadedModel.open(common, err)) {
            State s = new State(m, options, system);
            GenerationResult r = s.conversation.send(message, options, t -> {
                out.print(t.text());
                out.flush();
            });
            out.println();
            out.flush();
            if (common.verbose) GenerateCommand.printStats(err, r);
            if (r.stopReason() == StopReason.CONTEXT_FULL) {
                err.println("panllama: the answer was cut: the context of " + m.session.contextLength() + " tokens is full");
            }
            return ExitCodes.OK;
        }
    }

    /** "prompt 12 tokens (40 cached) at 310.2 tok/s, answer 57 tokens at 41.3 tok/s; context 109/4096". */
    static String stats(State s) {
        if (s.last == null) return "No answer yet.";
        var st = s.last.stats();
        return String.format(Locale.ROOT,
                "prompt %d tokens (%d reused from the cache) in %.2f s, %.1f tok/s%n"
                        + "answer %d tokens in %.2f s, %.1f tok/s (first after %.2f s), stopped: %s%n"
                        + "context %d of %d tokens used",
                st.promptTokens(), st.cachedPromptTokens(), st.promptTime().toNanos() / 1e9, st.promptTokensPerSecond(),
                st.generatedTokens(), st.generationTime().toNanos() / 1e9, st.generationTokensPerSecond(),
                st.timeToFirstToken().toNanos() / 1e9, s.last.stopReason().name().toLowerCase(Locale.ROOT),
                s.model.session.cachedTokens(), s.model.session.contextLength());
    }
}
