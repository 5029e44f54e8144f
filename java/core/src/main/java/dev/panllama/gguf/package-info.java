/**
 * GGUF files: reading ({@link dev.panllama.gguf.GgufFile}), writing ({@link dev.panllama.gguf.GgufWriter})
 * and the reference quantizer ({@link dev.panllama.gguf.Quantizer}).
 *
 * <p>{@code GgufFile.open} maps the whole file read-only into one segment of a shared arena and
 * validates everything before returning: magic, version (2 or 3, little-endian), every count and
 * length against the bytes left in the file (so nothing is allocated for a lie), value and tensor
 * type ids, dimensions (1 to 4, each at least 1, no overflow, row length a multiple of the block),
 * alignment (a power of two), and every tensor's data range (aligned, inside the file, not
 * overlapping another). A bad file is a {@link dev.panllama.gguf.GgufFormatException} whose message
 * reads {@code FILE: FIELD: PROBLEM WITH THE VALUE}; the slices {@code data(tensor)} hands out are
 * therefore safe to pass to native code until the file is closed. Metadata is copied onto the heap
 * (bounded by a budget); tensor data never is.
 *
 * <p>This package depends only on the JDK.
 */
package dev.panllama.gguf;
