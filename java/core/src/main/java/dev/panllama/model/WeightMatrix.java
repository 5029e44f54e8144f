package dev.panllama.model;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix as the kernels see it: {@code rows} rows of {@code cols} elements of ggml type
 * {@code type}, row-major, viewing the model file's mapping (never copied).
 *
 * <p>GGUF lists shapes innermost first, so a tensor of shape {@code [cols, rows]} is this matrix;
 * {@code y = W x} maps a vector of {@code cols} to one of {@code rows}.
 */
public record WeightMatrix(String name, int type, long rows, long cols, MemorySegment data) {}
