package dev.panllama;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module dev.panllama exports exactly its API packages (issue 7). Fails when an export is added
 * or removed without updating this list, and when the API's signatures mention a type that a
 * consumer cannot see.
 */
class ModuleExportsTest {
    /** Everyone sees these. */
    private static final Set<String> API = Set.of("dev.panllama", "dev.panllama.sampling");

    /** Package to the modules it is exported to: the API to all (empty set), internals to the CLI. */
    private static final Map<String, Set<String>> EXPORTS = Map.of(
            "dev.panllama", Set.of(),
            "dev.panllama.sampling", Set.of(),
            "dev.panllama.gguf", Set.of("dev.panllama.cli"),
            "dev.panllama.inspect", Set.of("dev.panllama.cli"),
            "dev.panllama.model", Set.of("dev.panllama.cli"),
            "dev.panllama.models", Set.of("dev.panllama.cli"),
            "dev.panllama.nativelib", Set.of("dev.panllama.cli"),
            "dev.panllama.synthetic", Set.of("dev.panllama.cli"),
            "dev.panllama.tokenizer", Set.of("dev.panllama.cli"));

    private static final Map<String, Set<String>> OPENS = Map.of("dev.panllama.chat", Set.of("jinjava"));

    private static Module module() {
        Module m = Model.class.getModule();
        assertTrue(m.isNamed(), "the tests must run on the module path (surefire useModulePath), got " + m);
        return m;
    }

    @Test
    void descriptorExportsExactlyTheApiAndCliPackages() {
        ModuleDescriptor d = module().getDescriptor();
        assertEquals("dev.panllama", d.name());
        assertFalse(d.isOpen(), "an open module would give deep reflection on every package to everyone");
        Map<String, Set<String>> exports = d.exports().stream().collect(Collectors.toMap(
                ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets, (a, b) -> a, TreeMap::new));
        assertEquals(new TreeMap<>(EXPORTS), exports);
        Map<String, Set<String>> opens = d.opens().stream().collect(Collectors.toMap(
                ModuleDescriptor.Opens::source, ModuleDescriptor.Opens::targets, (a, b) -> a, TreeMap::new));
        assertEquals(new TreeMap<>(OPENS), opens);
    }

    /** A module that requires dev.panllama, resolved in a layer above the test's boot layer. */
    @Test
    void aConsumerModuleSeesOnlyTheApiPackages() {
        Module panllama = module();
        ModuleDescriptor consumerDescriptor = ModuleDescriptor.newModule("consumer").requires("dev.panllama").build();
        Configuration cf = ModuleLayer.boot().configuration()
                .resolve(new SingleModuleFinder(consumerDescriptor), ModuleFinder.of(), Set.of("consumer"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        Module consumer = layer.findModule("consumer").orElseThrow();
        assertTrue(consumer.canRead(panllama));

        Set<String> visible = new TreeSet<>();
        for (String p : panllama.getPackages()) if (panllama.isExported(p, consumer)) visible.add(p);
        assertEquals(new TreeSet<>(API), visible);
    }

    /**
     * Every public or protected member of the exported API names only JDK types and types of the
     * exported packages: a consumer never meets a type it cannot import. Reads what the module
     * really exports, so dropping a needed export fails here.
     */
    @Test
    void apiSignaturesUseOnlyExportedTypes() throws IOException, ClassNotFoundException {
        Module panllama = module();
        Set<String> exported = panllama.getDescriptor().exports().stream()
                .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        Set<String> leaks = new TreeSet<>();
        Set<String> classes;
        ModuleReference ref = ModuleLayer.boot().configuration().findModule("dev.panllama").orElseThrow().reference();
        try (ModuleReader reader = ref.open(); Stream<String> names = reader.list()) {
            classes = names.filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> exported.contains(n.substring(0, n.lastIndexOf('.'))))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> checked = new TreeSet<>();
        for (String name : classes) {
            Class<?> c = Class.forName(name, false, Model.class.getClassLoader());
            if (!isPublicApi(c)) continue;
            checked.add(c.getName());
            check(exported, c.getGenericSuperclass(), c.getName() + " extends", panllama, leaks);
            for (Type t : c.getGenericInterfaces()) check(exported, t, c.getName() + " implements", panllama, leaks);
            if (c.isRecord()) for (RecordComponent rc : c.getRecordComponents())
                check(exported, rc.getGenericType(), c.getName() + "." + rc.getName(), panllama, leaks);
            for (Field f : c.getDeclaredFields())
                if (visible(f.getModifiers())) check(exported, f.getGenericType(), c.getName() + "." + f.getName(), panllama, leaks);
            for (Executable e : Stream.concat(Stream.of(c.getDeclaredConstructors()), Stream.of(c.getDeclaredMethods())).toList()) {
                if (!visible(e.getModifiers()) || e.isSynthetic()) continue;
                String where = c.getName() + "." + (e instanceof Method ? e.getName() : "<init>");
                if (e instanceof Method m) check(exported, m.getGenericReturnType(), where, panllama, leaks);
                for (Type t : e.getGenericParameterTypes()) check(exported, t, where, panllama, leaks);
                for (Type t : e.getGenericExceptionTypes()) check(exported, t, where, panllama, leaks);
            }
        }
        assertTrue(checked.containsAll(Set.of(Model.class.getName(), GenerateOptions.Builder.class.getName())),
                "the module listing missed API types: " + checked);
        assertEquals(Set.of(), leaks, "API signatures mention types a consumer cannot see");
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) if (!Modifier.isPublic(k.getModifiers())) return false;
        return !c.isAnonymousClass() && !c.isLocalClass();
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(Set<String> exported, Type t, String where, Module panllama, Set<String> leaks) {
        switch (t) {
            case null -> { }
            case Class<?> c when c.isArray() -> check(exported, c.getComponentType(), where, panllama, leaks);
            case Class<?> c when c.isPrimitive() -> { }
            case Class<?> c -> {
                Module m = c.getModule();
                boolean ok = m == panllama ? exported.contains(c.getPackageName()) && isPublicApi(c)
                        : m.isNamed() && m.getLayer() == ModuleLayer.boot() && m.getName().startsWith("java.");
                if (!ok) leaks.add(where + " -> " + c.getName());
            }
            case ParameterizedType p -> {
                check(exported, p.getRawType(), where, panllama, leaks);
                for (Type a : p.getActualTypeArguments()) check(exported, a, where, panllama, leaks);
            }
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) check(exported, b, where, panllama, leaks);
                for (Type b : w.getLowerBounds()) check(exported, b, where, panllama, leaks);
            }
            case GenericArrayType g -> check(exported, g.getGenericComponentType(), where, panllama, leaks);
            case TypeVariable<?> v -> { for (Type b : v.getBounds()) if (b != Object.class) check(exported, b, where, panllama, leaks); }
            default -> leaks.add(where + " -> unexpected type " + t);
        }
    }

    /** Finds one module with no content: the consumer only declares what it requires. */
    private record SingleModuleFinder(ModuleDescriptor descriptor) implements ModuleFinder {
        @Override
        public Optional<ModuleReference> find(String name) {
            return name.equals(descriptor.name()) ? Optional.of(reference()) : Optional.empty();
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.of(reference());
        }

        private ModuleReference reference() {
            return new ModuleReference(descriptor, URI.create("consumer:/")) {
                @Override
                public ModuleReader open() {
                    return new ModuleReader() {
                        @Override public Optional<URI> find(String name) { return Optional.empty(); }
                        @Override public Stream<String> list() { return Stream.empty(); }
                        @Override public void close() { }
                    };
                }
            };
        }
    }
}
