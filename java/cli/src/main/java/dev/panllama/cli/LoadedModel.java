package dev.panllama.cli;

import dev.panllama.KvCacheType;
import dev.panllama.Model;
import dev.panllama.ModelOptions;
import dev.panllama.PanllamaException;
import dev.panllama.Session;
import dev.panllama.SessionOptions;
import dev.panllama.inspect.KvCacheCosts;
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
        Preflight.Checked checked = Preflight.check(path, common.kvTypeOrDefault(), common.ctx, err);
        long t0 = System.nanoTime();
        Model model = Model.load(path, ModelOptions.defaults().withRepackWeights(!common.noRepack));
        try {
            SessionOptions.Builder b = SessionOptions.builder().threads(common.threadsOrDefault())
                    .kvCacheType(switch (common.kvTypeOrDefault()) {
                        case F32 -> KvCacheType.F32;
                        case F16 -> KvCacheType.F16;
                        case Q8_0 -> KvCacheType.Q8_0;
                    });
            b.contextLength(checked.contextLength());
            SessionOptions options;
            try {
                options = b.build();
            } catch (IllegalArgumentException e) {
                throw new PanllamaException(e.getMessage(), e);
            }
            Session session;
            try {
                session = model.newSession(options);
            } catch (OutOfMemoryError e) {
                throw new PanllamaException(Preflight.notEnoughMemory(checked.contextLength(), common.kvTypeOrDefault(),
                        KvCacheCosts.of(ModelFileAccounting.hyperparameters(checked.config()), common.kvTypeOrDefault(),
                                checked.contextLength()).bytesAtCtx(), Preflight.availableMemory().orElse(0)));
            }
            if (common.verbose) {
                err.printf(Locale.ROOT, "panllama: loaded %s (%s) in %.2f s; context %d tokens, KV cache %s (%s), %d threads%s%n",
                        model.info().name(), path, (System.nanoTime() - t0) / 1e9, session.contextLength(),
                        InspectReport.bytes(session.kvCacheBytes()), common.kvTypeOrDefault().label(),
                        common.threadsOrDefault(), model.info().repackedBytes() > 0
                                ? "; " + InspectReport.bytes(model.info().repackedBytes()) + " of weights repacked for "
                                        + dev.panllama.nativelib.NativeInfo.current().isa()
                                : "");
                err.flush();
            }
            return new LoadedModel(path, model, session);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
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
