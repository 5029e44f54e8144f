package dev.panllama.nativelib;

import dev.panllama.bindings.panllama_h;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the loaded native library is and which kernel path it chose: for --version and bug reports. */
public record NativeInfo(String version, Path path, String build, List<String> cpuFeatures, String isa) {

    /** Loads the library if needed and describes it. */
    public static NativeInfo current() {
        Path path = NativeLibrary.load();
        int f = panllama_h.pl_cpu_features();
        List<String> features = new ArrayList<>();
        String[] names = {"avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512vnni", "neon", "dotprod"};
        for (int i = 0; i < names.length; i++) if ((f & (1 << i)) != 0) features.add(names[i]);
        return new NativeInfo(
                panllama_h.pl_version().getString(0),
                path,
                panllama_h.pl_build_info().getString(0),
                List.copyOf(features),
                panllama_h.pl_isa_name(panllama_h.pl_isa_active()).getString(0));
    }
}
