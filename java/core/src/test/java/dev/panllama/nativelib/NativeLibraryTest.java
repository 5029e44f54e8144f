package dev.panllama.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panllama.PanllamaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryTest {
    @Test
    void mapsPlatforms() {
        assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "amd64"));
        assertEquals("linux-aarch64", NativeLibrary.platform("Linux", "aarch64"));
        assertEquals("macos-aarch64", NativeLibrary.platform("Mac OS X", "aarch64"));
        assertEquals("windows-x86_64", NativeLibrary.platform("Windows 11", "amd64"));
        PanllamaException e = assertThrows(PanllamaException.class, () -> NativeLibrary.platform("SunOS", "sparcv9"));
        assertTrue(e.getMessage().contains("os.name=SunOS"), e.getMessage());
    }

    @Test
    void extractionIsContentAddressedAndReplacesAForeignFile(@TempDir Path tmp) throws Exception {
        byte[] a = {1, 2, 3};
        Path first = NativeLibrary.extract(a, tmp, "libx.so");
        assertEquals(NativeLibrary.sha256(a), first.getParent().getFileName().toString());
        // A corrupted file at the expected place is rewritten, never reused.
        Files.write(first, new byte[] {9, 9});
        Path again = NativeLibrary.extract(a, tmp, "libx.so");
        assertEquals(first, again);
        assertArrayEquals(a, Files.readAllBytes(again));
        Path other = NativeLibrary.extract(new byte[] {4}, tmp, "libx.so");
        assertTrue(!other.equals(first));
    }

    @Test
    void loadsTheBuiltLibrary() {
        Path p = NativeLibrary.load();
        assertTrue(Files.isRegularFile(p), p.toString());
        assertEquals(p, NativeLibrary.loadedPath());
    }
}
