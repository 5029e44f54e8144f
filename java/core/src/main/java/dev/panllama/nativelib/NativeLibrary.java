package dev.panllama.nativelib;

import dev.panllama.PanllamaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds and loads libpanllama before any binding class is used.
 *
 * <p>Order: {@code -Dpanllama.library.path=FILE} (or env {@code PANLLAMA_LIBRARY_PATH}) if set;
 * otherwise the copy the jar carries under {@code native/<os>-<arch>/}, extracted to
 * {@code ${XDG_CACHE_HOME:-~/.cache}/panllama/lib/<sha256>/} (content-addressed, and a file found
 * there is used only when its bytes equal the jar's, so a stale or foreign file is never reused).
 * There is no silent fallback: anything missing is an error that names what was looked for.
 */
public final class NativeLibrary {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static volatile Path loadedPath;

    private NativeLibrary() {}

    /** Loads the library once (thread-safe) and returns the file that was loaded. */
    public static Path load() {
        Path p = loadedPath;
        if (p != null) return p;
        synchronized (NativeLibrary.class) {
            if (loadedPath == null) {
                Path file = locate();
                try {
                    System.load(file.toAbsolutePath().toString());
                } catch (UnsatisfiedLinkError e) {
                    throw new PanllamaException("could not load the panllama native library " + file
                            + ": " + e.getMessage(), e);
                }
                // Before publishing: a bad -Dpanllama.isa then fails every load(), whichever thread
                // (BackgroundLinker's, say) happened to load first.
                IsaOverride.applyFromSystemProperty();
                loadedPath = file;
            }
            return loadedPath;
        }
    }

    /** The loaded library's file, or null before {@link #load()}. */
    public static Path loadedPath() {
        return loadedPath;
    }

    /** "linux-x86_64", "linux-aarch64", "macos-aarch64", "windows-x86_64", ... for this JVM. */
    public static String platform() {
        return platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "macos"
                : os.startsWith("windows") ? "windows" : null;
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (o == null || arch == null) {
            throw new PanllamaException("panllama has no native library for this platform (os.name="
                    + osName + ", os.arch=" + osArch + "); supported: linux-x86_64, linux-aarch64, "
                    + "macos-aarch64, windows-x86_64");
        }
        return o + "-" + arch;
    }

    static String libraryFileName(String platform) {
        if (platform.startsWith("windows")) return "panllama.dll";
        if (platform.startsWith("macos")) return "libpanllama.dylib";
        return "libpanllama.so";
    }

    private static Path locate() {
        String override = System.getProperty("panllama.library.path");
        if (override == null || override.isBlank()) override = System.getenv("PANLLAMA_LIBRARY_PATH");
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override);
            if (!Files.isRegularFile(file)) {
                throw new PanllamaException("panllama.library.path points to " + file + ", which is not a file");
            }
            return file;
        }
        String platform = platform();
        String resource = "native/" + platform + "/" + libraryFileName(platform);
        byte[] bytes = readResource(resource);
        if (bytes == null) {
            throw new PanllamaException("this panllama build carries no native library for " + platform
                    + " (looked for resource " + resource + "); set -Dpanllama.library.path=FILE");
        }
        byte[] recorded = readResource(resource + ".sha256");
        String hash = recorded == null ? null : new String(recorded, StandardCharsets.US_ASCII).strip();
        return extract(bytes, hash, cacheDir().resolve("lib"), libraryFileName(platform));
    }

    private static byte[] readResource(String resource) {
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new PanllamaException("could not read resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Writes the bytes to {@code base/<sha256>/name} unless an identical file is already there. */
    static Path extract(byte[] bytes, Path base, String name) {
        return extract(bytes, null, base, name);
    }

    /**
     * Same as {@link #extract(byte[], Path, String)}, where {@code recordedHash} is the SHA-256 the build
     * wrote beside the library (or null): when {@code base/<recordedHash>/name} already holds exactly
     * these bytes it is used as is, which spares hashing at every start (MessageDigest and its
     * providers cost tens of milliseconds in a cold JVM). Nothing is ever written under a recorded
     * hash, only under the computed one, so a wrong recorded hash costs time, never correctness.
     */
    static Path extract(byte[] bytes, String recordedHash, Path base, String name) {
        if (recordedHash != null && HASH.matcher(recordedHash).matches()) {
            Path target = base.resolve(recordedHash).resolve(name);
            if (holds(target, bytes)) return target;
        }
        String hash = sha256(bytes);
        Path dir = base.resolve(hash);
        Path target = dir.resolve(name);
        try {
            if (holds(target, bytes)) return target;
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new PanllamaException("could not extract the native library to " + target + ": " + e.getMessage(), e);
        }
    }

    /** True when {@code file} is a regular file with exactly these bytes. */
    private static boolean holds(Path file, byte[] bytes) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == bytes.length
                    && Arrays.equals(Files.readAllBytes(file), bytes);
        } catch (IOException e) {
            return false; // unreadable: extract again
        }
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/panllama}. */
    public static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("panllama");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
