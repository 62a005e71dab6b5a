package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @Test
    void realFilesFromTheDebianPackageLoad() throws IOException {
        Path debian = Path.of(FashionMnistSource.DEBIAN_DIR);
        assumeTrue(IdxDirectorySource.find(debian).isPresent(), "Fashion-MNIST IDX files not found in " + debian
                + ": install them with 'apt-get install " + FashionMnistSource.DEBIAN_PACKAGE + "'");
        FashionMnistSource source = new FashionMnistSource(List.of(debian), Path.of("/nonexistent-cache"),
                List.of(), MirrorDownloader.withDefaults(System.err));
        try (DatasetPair pair = source.load()) {
            assertEquals("Fashion-MNIST 60000 train / 10000 test (from " + debian + ")", pair.description());
            assertEquals(28, pair.train().imageRows());
            assertEquals(784, pair.test().features());
            // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
            int[] trainCounts = new int[10];
            Arrays.fill(trainCounts, 6000);
            int[] testCounts = new int[10];
            Arrays.fill(testCounts, 1000);
            assertArrayEquals(trainCounts, pair.train().classCounts());
            assertArrayEquals(testCounts, pair.test().classCounts());
            float[] pixels = pair.test().images().toArray();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float p : pixels) {
                min = Math.min(min, p);
                max = Math.max(max, p);
            }
            assertEquals(0f, min);
            assertEquals(1f, max);
        }
    }

    @Test
    void debianFilesMatchThePublishedContentHashes() throws IOException {
        Path debian = Path.of(FashionMnistSource.DEBIAN_DIR);
        assumeTrue(IdxDirectorySource.find(debian).isPresent(), "Fashion-MNIST IDX files not found in " + debian
                + ": install them with 'apt-get install " + FashionMnistSource.DEBIAN_PACKAGE + "'");
        for (RemoteFile f : FashionMnistSource.FILES) {
            assertTrue(f.matches(debian.resolve(f.name())), f.name());
        }
    }

    @Test
    void failsFastNamingTheDebianPackage(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        FashionMnistSource source = new FashionMnistSource(List.of(empty), tmp.resolve("cache"),
                List.of(URI.create("http://127.0.0.1:1/")),
                new MirrorDownloader(Duration.ofSeconds(5), Duration.ofSeconds(30), new PrintStream(
                        java.io.OutputStream.nullOutputStream())));
        DatasetException e = assertThrows(DatasetException.class, source::load);
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }
}
