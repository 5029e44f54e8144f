package dev.panllama.cli;

import dev.panllama.nativelib.NativeInfo;
import picocli.CommandLine;

/** {@code panllama --version}: our version, the JVM, the native library and the kernel path chosen. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        NativeInfo n = NativeInfo.current();
        return new String[] {
            "panllama " + n.version(),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                    + System.getProperty("java.home") + ")",
            "native library " + n.path(),
            "native build " + n.build(),
            "cpu features " + (n.cpuFeatures().isEmpty() ? "(none)" : String.join(" ", n.cpuFeatures())),
            "kernel path " + n.isa(),
        };
    }
}
