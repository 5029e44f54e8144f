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
    void aRecordedHashFindsTheExtractedFileButOnlyWithTheSameBytes(@TempDir Path tmp) throws Exception {
        byte[] a = {1, 2, 3};
        String hash = NativeLibrary.sha256(a);
        Path first = NativeLibrary.extract(a, hash, tmp, "libx.so");
        assertEquals(tmp.resolve(hash).resolve("libx.so"), first);
        assertArrayEquals(a, Files.readAllBytes(first));
        // same size, other bytes: not reused, rewritten
        Files.write(first, new byte[] {1, 2, 4});
        assertEquals(first, NativeLibrary.extract(a, hash, tmp, "libx.so"));
        assertArrayEquals(a, Files.readAllBytes(first));
    }

    @Test
    void aWrongRecordedHashIsNeverWrittenTo(@TempDir Path tmp) throws Exception {
        byte[] a = {1, 2, 3};
        String wrong = NativeLibrary.sha256(new byte[] {7});
        Path p = NativeLibrary.extract(a, wrong, tmp, "libx.so");
        assertEquals(NativeLibrary.sha256(a), p.getParent().getFileName().toString());
        assertTrue(Files.notExists(tmp.resolve(wrong)), "nothing under the wrong hash");
        // not a hash at all (a path, say): ignored
        assertEquals(p, NativeLibrary.extract(a, "../../etc", tmp, "libx.so"));
    }

    @Test
    void theJarRecordsTheLibrarysHash() throws Exception {
        String platform = NativeLibrary.platform();
        String resource = "native/" + platform + "/" + NativeLibrary.libraryFileName(platform);
        try (var lib = NativeLibrary.class.getClassLoader().getResourceAsStream(resource);
                var sha = NativeLibrary.class.getClassLoader().getResourceAsStream(resource + ".sha256")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(lib != null, "no packaged library on this platform");
            assertTrue(sha != null, resource + ".sha256 is packaged beside the library");
            assertEquals(NativeLibrary.sha256(lib.readAllBytes()), new String(sha.readAllBytes(), "US-ASCII").strip());
        }
    }

    @Test
    void loadsTheBuiltLibrary() {
        Path p = NativeLibrary.load();
        assertTrue(Files.isRegularFile(p), p.toString());
        assertEquals(p, NativeLibrary.loadedPath());
    }
}
