package dev.panllama.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.bindings.panllama_h;
import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The committed jextract output, the header and the built library agree. */
class BindingsMatchLibraryTest {
    private static final Pattern DECL = Pattern.compile("PL_API[^;(]*?\\b(pl_\\w+)\\s*\\(");

    static Set<String> headerFunctions() throws IOException {
        Path header = Path.of(System.getProperty("panllama.root", "."), "native/include/panllama.h");
        String text = Files.readString(header);
        Set<String> names = new TreeSet<>();
        Matcher m = DECL.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    static Set<String> boundFunctions() {
        // jextract emits, per function, a static method plus $descriptor/$handle/$address helpers.
        return Arrays.stream(panllama_h.class.getMethods())
                .filter(m -> Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .filter(n -> n.startsWith("pl_") && !n.contains("$"))
                .filter(n -> !n.equals("pl_i64"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyHeaderFunctionIsBound() throws IOException {
        Set<String> header = headerFunctions();
        assertTrue(header.size() >= 10, "parsed too few functions from the header: " + header);
        assertEquals(header, boundFunctions(), "regenerate bindings/ with jextract @bindings/jextract.args");
    }

    @Test
    void everyBoundSymbolResolvesInTheLibrary() {
        Path lib = NativeLibrary.load();
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        List<String> missing = boundFunctions().stream().filter(n -> lookup.find(n).isEmpty()).toList();
        assertTrue(missing.isEmpty(), "symbols missing from " + lib + ": " + missing);
    }

    @Test
    void versionCallGoesThroughTheBindings() {
        NativeLibrary.load();
        String v = panllama_h.pl_version().getString(0);
        assertFalse(v.isBlank());
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), v);
    }
}
