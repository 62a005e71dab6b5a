package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server: success, hash mismatch, HTTP errors, dead mirror skipped. */
class MirrorDownloaderTest {
    /** Port 1 on loopback: nothing listens there, so connecting is refused at once. */
    static final URI DEAD_MIRROR = URI.create("http://127.0.0.1:1/mnist/");

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private MirrorDownloader downloader;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/files/".length());
            byte[] body = served.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        // a body without end, in chunks, until the client hangs up
        server.createContext("/endless/", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 16];
            try (var out = exchange.getResponseBody()) {
                while (true) {
                    out.write(chunk);
                }
            } catch (IOException hungUp) {
                exchange.close();
            }
        });
        // a Content-Length of a terabyte over a few bytes
        server.createContext("/liar/", exchange -> {
            exchange.sendResponseHeaders(200, 1L << 40);
            try (var out = exchange.getResponseBody()) {
                out.write(new byte[16]);
                out.flush(); // the headers go out with the first bytes
            } catch (IOException hungUp) {
                exchange.close();
            }
        });
        server.start();
        downloader = new MirrorDownloader(Duration.ofSeconds(2), Duration.ofSeconds(10),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI mirror() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/");
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void downloadsVerifiesAndSkipsADeadMirror() throws Exception {
        byte[] a = "first file".getBytes(StandardCharsets.UTF_8);
        byte[] b = "second file".getBytes(StandardCharsets.UTF_8);
        served.put("a.bin", a);
        served.put("b.bin", b);
        List<RemoteFile> files = List.of(RemoteFile.stored("a.bin", sha256(a)), RemoteFile.stored("b.bin", sha256(b)));
        downloader.ensure(dir, files, List.of(DEAD_MIRROR, mirror()));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("a.bin")));
        assertArrayEquals(b, Files.readAllBytes(dir.resolve("b.bin")));
        String log = logBytes.toString(StandardCharsets.UTF_8);
        // The dead mirror is tried for the first file only.
        assertEquals(1, log.split("127.0.0.1:1/", -1).length - 1, log);
        try (var listing = Files.list(dir)) {
            assertEquals(2, listing.count(), "no temporary files are left");
        }
        // A second call finds both files verified and downloads nothing.
        served.clear();
        downloader.ensure(dir, files, List.of(mirror()));
    }

    @Test
    void hashMismatchKeepsNothingAndSaysWhy() throws Exception {
        served.put("a.bin", "tampered".getBytes(StandardCharsets.UTF_8));
        List<RemoteFile> files = List.of(RemoteFile.stored("a.bin", sha256("genuine".getBytes(StandardCharsets.UTF_8))));
        DatasetException e = assertThrows(DatasetException.class, () -> downloader.ensure(dir, files, List.of(mirror())));
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        try (var listing = Files.list(dir)) {
            assertEquals(0, listing.count(), "neither the bad file nor a temporary remains");
        }
    }

    /**
     * A download holds at most the downloader's limit: a body that never ends is cut off once past it, and a
     * Content-Length above it before a byte is written. Neither leaves a file behind.
     */
    @Test
    void aBodyPastTheLimitIsCutOff() throws Exception {
        MirrorDownloader limited = new MirrorDownloader(Duration.ofSeconds(2), Duration.ofSeconds(10), 1 << 20,
                new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        List<RemoteFile> files = List.of(RemoteFile.stored("a.bin", sha256(new byte[0])));
        DatasetException endless = assertThrows(DatasetException.class,
                () -> limited.ensure(dir, files, List.of(base.resolve("endless/"))));
        assertTrue(endless.getMessage().contains("endless/a.bin: IOException: a download may hold at most 1048576 bytes,"
                + " but the server sends more than that"), endless.getMessage());
        DatasetException liar = assertThrows(DatasetException.class,
                () -> limited.ensure(dir, files, List.of(base.resolve("liar/"))));
        assertTrue(liar.getMessage().contains("liar/a.bin: IOException: a download may hold at most 1048576 bytes,"
                + " but the server announces 1099511627776 bytes (Content-Length)"), liar.getMessage());
        try (var listing = Files.list(dir)) {
            assertEquals(0, listing.count(), "no download is left behind");
        }
    }

    @Test
    void corruptCachedFileIsReplaced() throws Exception {
        byte[] good = "good".getBytes(StandardCharsets.UTF_8);
        served.put("a.bin", good);
        Files.writeString(dir.resolve("a.bin"), "bad");
        downloader.ensure(dir, List.of(RemoteFile.stored("a.bin", sha256(good))), List.of(mirror()));
        assertArrayEquals(good, Files.readAllBytes(dir.resolve("a.bin")));
    }

    @Test
    void httpErrorIsListedPerMirror() throws Exception {
        List<RemoteFile> files = List.of(RemoteFile.stored("missing.bin", sha256(new byte[0])));
        DatasetException e = assertThrows(DatasetException.class,
                () -> downloader.ensure(dir, files, List.of(DEAD_MIRROR, mirror())));
        assertTrue(e.getMessage().contains("HTTP status 404"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:1/mnist/missing.bin: cannot connect"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("missing.bin")));
    }

    @Test
    void contentHashIgnoresCompression() throws Exception {
        IdxWriter.write(dir.resolve("x.gz"), TinyIdx.labels(5), true);
        IdxWriter.write(dir.resolve("x"), TinyIdx.labels(5), false);
        String plain = sha256(Files.readAllBytes(dir.resolve("x")));
        assertTrue(RemoteFile.content("x.gz", plain).matches(dir.resolve("x.gz")));
        assertFalse(RemoteFile.stored("x.gz", plain).matches(dir.resolve("x.gz")));
    }
}
