package dev.panllama.nativelib;

import dev.panllama.PanllamaException;
import dev.panllama.bindings.panllama_h;
import java.util.Locale;

/** Applies {@code -Dpanllama.isa=scalar|avx2|avx512|neon} (the env var PANLLAMA_ISA is read by C itself). */
final class IsaOverride {
    private IsaOverride() {}

    static void applyFromSystemProperty() {
        String isa = System.getProperty("panllama.isa");
        if (isa == null || isa.isBlank()) return;
        int id = switch (isa.toLowerCase(Locale.ROOT)) {
            case "scalar" -> panllama_h.PL_ISA_SCALAR();
            case "avx2" -> panllama_h.PL_ISA_AVX2();
            case "avx512" -> panllama_h.PL_ISA_AVX512();
            case "neon" -> panllama_h.PL_ISA_NEON();
            default -> throw new PanllamaException("panllama.isa=" + isa + " is not one of scalar, avx2, avx512, neon");
        };
        int status = panllama_h.pl_isa_force(id);
        if (status != 0) {
            throw new PanllamaException("panllama.isa=" + isa + ": " + panllama_h.pl_strerror(status).getString(0));
        }
    }
}
