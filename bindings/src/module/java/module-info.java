/**
 * The jextract bindings of libpanllama. Generated code (src/main/java) is never edited; this
 * descriptor lives in its own source root so regeneration stays {@code rm -rf src/main/java}.
 * Only panllama's core uses the bindings: the raw C calls are no one else's API.
 */
@SuppressWarnings("module") // dev.panllama is compiled after this module: "module not found" is expected
module dev.panllama.bindings {
    exports dev.panllama.bindings to dev.panllama;
}
