/**
 * panllama: local LLM inference for Java. The API is {@link dev.panllama} (models, sessions,
 * generation) and {@link dev.panllama.sampling} (its sampling options appear in
 * {@link dev.panllama.GenerateOptions}). Everything else is internal: the packages the panllama
 * command needs are exported to it alone, the rest to no one.
 *
 * <p>Native access: run with {@code --enable-native-access=dev.panllama,dev.panllama.bindings} on
 * the module path ({@code ALL-UNNAMED} on the class path).
 *
 * <p>Jinjava is an automatic module, which cannot declare its own dependencies: with every jar on
 * the module path, also pass {@code --add-modules ALL-MODULE-PATH} (at least
 * {@code com.fasterxml.jackson.databind,org.apache.commons.lang3}), or chat templates fail with a
 * {@code ClassNotFoundException}. Jinjava's dependencies on the class path need nothing.
 */
// "module": dev.panllama.cli is compiled after this module, so "module not found" is expected.
// "requires-automatic": Jinjava has no module descriptor; see the requires line.
@SuppressWarnings({"module", "requires-automatic"})
module dev.panllama {
    requires dev.panllama.bindings;
    // Chat templates. Jinjava 2.7 is an automatic module named after its jar file (no
    // module-info, no Automatic-Module-Name): if a later release declares a name, change it here.
    requires jinjava;
    requires java.desktop;     // java.beans.FeatureDescriptor in Jinjava's EL resolver API
    requires java.net.http;    // model downloads (dev.panllama.models)

    exports dev.panllama;
    exports dev.panllama.sampling;

    exports dev.panllama.gguf to dev.panllama.cli;
    exports dev.panllama.inspect to dev.panllama.cli;
    exports dev.panllama.model to dev.panllama.cli;
    exports dev.panllama.models to dev.panllama.cli;
    exports dev.panllama.nativelib to dev.panllama.cli;
    exports dev.panllama.synthetic to dev.panllama.cli; // the launcher's AOT training run writes a tiny model
    exports dev.panllama.tokenizer to dev.panllama.cli;

    // Jinjava calls the template functions, filters and tags registered from this package
    // reflectively (Method.setAccessible), which needs a deep-reflection opening.
    opens dev.panllama.chat to jinjava;
}
