package dev.panllama.cli;

import dev.panllama.KvCacheType;
import dev.panllama.Model;
import dev.panllama.PanllamaException;
import dev.panllama.Session;
import dev.panllama.SessionOptions;
import dev.panllama.inspect.KvCacheCosts;
import dev.panllama.inspect.KvType;
import dev.panllama.model.LlamaConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** A model loaded for a command and one session on it, sized by the common flags; closes both. */
final class LoadedModel implements AutoCloseable {
    final Path path;
    final Model model;
    final Session session;

    private LoadedModel(Path path, Model model, Session session) {
        this.path = path;
        this.model = model;
        this.session = session;
    }

    /** Resolves the model (fetching the default one), loads it and opens a session; --verbose reports the time. */
    static LoadedModel open(CommonOptions common, PrintWriter err) {
        Path path = ModelLocator.resolve(common.model, err);
        long t0 = System.nanoTime();
        Model model = Model.load(path);
        try {
            SessionOptions.Builder b = SessionOptions.builder().threads(common.threadsOrDefault())
                    .kvCacheType(switch (common.kvTypeOrDefault()) {
                        case F32 -> KvCacheType.F32;
                        case F16 -> KvCacheType.F16;
                        case Q8_0 -> KvCacheType.Q8_0;
                    });
            if (common.ctx != null) b.contextLength(common.ctx);
            Session session;
            try {
                session = model.newSession(b.build());
            } catch (OutOfMemoryError e) {
                throw new PanllamaException(notEnoughMemory(path, common, model));
            }
            if (common.verbose) {
                err.printf(Locale.ROOT, "panllama: loaded %s (%s) in %.2f s; context %d tokens, KV cache %s (%s), %d threads%n",
                        model.info().name(), path, (System.nanoTime() - t0) / 1e9, session.contextLength(),
                        InspectReport.bytes(session.kvCacheBytes()), common.kvTypeOrDefault().label(),
                        common.threadsOrDefault());
                err.flush();
            }
            return new LoadedModel(path, model, session);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    /** "not enough memory for a context of 131072 tokens: its KV cache needs 3.0 GiB ...". */
    private static String notEnoughMemory(Path path, CommonOptions common, Model model) {
        int ctx = common.ctx != null ? common.ctx : Math.min(model.info().trainedContextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
        String need = "";
        try (var f = dev.panllama.gguf.GgufFile.open(path)) {
            KvCacheCosts kv = KvCacheCosts.of(ModelFileAccounting.hyperparameters(LlamaConfig.from(f)), common.kvTypeOrDefault(), ctx);
            need = ": its KV cache alone needs " + InspectReport.bytes(kv.bytesAtCtx());
        } catch (RuntimeException ignored) {
            // the figure is a courtesy; the advice stands without it
        }
        return "not enough memory for a context of " + ctx + " tokens" + need
                + (common.kvTypeOrDefault() == KvType.Q8_0 ? "" : "; try --kv-type q8_0 (about half)")
                + " or a smaller -c";
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            model.close();
        }
    }
}
