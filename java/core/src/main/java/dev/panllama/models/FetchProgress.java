package dev.panllama.models;

/** Reports the progress of a model download, e.g. to draw a progress bar on stderr. */
@FunctionalInterface
public interface FetchProgress {
    enum Phase { DOWNLOAD, VERIFY, EXTRACT, DONE }

    /**
     * @param phase what is happening
     * @param done bytes done in this phase
     * @param total bytes of this phase (-1 when unknown)
     */
    void update(Phase phase, long done, long total);

    FetchProgress NONE = (phase, done, total) -> {};
}
