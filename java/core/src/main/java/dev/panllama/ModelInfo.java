package dev.panllama;

/**
 * What a loaded model is.
 *
 * @param name {@code general.name} from the file, or the file name
 * @param architecture {@code general.architecture}, e.g. {@code llama}
 * @param vocabSize number of token ids
 * @param trainedContextLength the context length the model was trained with
 */
public record ModelInfo(String name, String architecture, int vocabSize, int trainedContextLength) {}
