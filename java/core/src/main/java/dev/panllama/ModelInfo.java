package dev.panllama;

/**
 * What a loaded model is.
 *
 * @param name {@code general.name} from the file, or the file name
 * @param architecture {@code general.architecture}, e.g. {@code llama}
 * @param vocabSize number of token ids
 * @param trainedContextLength the context length the model was trained with
 * @param repackedBytes bytes of weights copied at load into the layout the CPU's kernels read faster
 *     (0: every matrix is read from the file's mapping; see {@link ModelOptions#repackWeights})
 */
public record ModelInfo(String name, String architecture, int vocabSize, int trainedContextLength, long repackedBytes) {

    /** A model whose weights are all read from the file. */
    public ModelInfo(String name, String architecture, int vocabSize, int trainedContextLength) {
        this(name, architecture, vocabSize, trainedContextLength, 0);
    }
}
