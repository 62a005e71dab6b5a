package dev.panamax.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The repository's Fashion-MNIST slice: complete, verified, and the head of the real data set. */
class FashionMnistSliceTest {

    @Test
    void theSliceLoadsWithEveryClassInBothSplits() throws IOException {
        try (DatasetPair pair = FashionMnistSlice.load()) {
            assertEquals(FashionMnistSlice.TRAIN, pair.train().size());
            assertEquals(FashionMnistSlice.TEST, pair.test().size());
            assertEquals(784, pair.train().features());
            for (int[] counts : List.of(pair.train().classCounts(), pair.test().classCounts())) {
                assertEquals(10, counts.length);
                for (int c = 0; c < 10; c++) {
                    // Fashion-MNIST is balanced overall; a head of 1,000 still holds each class many times
                    assertTrue(counts[c] >= 50, "class " + c + " has " + counts[c] + " images in the slice");
                }
            }
        }
    }

    @Test
    void aDamagedFileIsNamedBeforeAnythingTrainsOnIt(@TempDir Path tmp) throws IOException {
        Path copy = Files.createDirectory(tmp.resolve("slice"));
        try (Stream<Path> files = Files.list(FashionMnistSlice.dir())) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        // a well-formed gzip of other content: only the checksum can tell
        Path labels = copy.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(labels))) {
            raw = in.readAllBytes();
        }
        raw[raw.length - 1] = (byte) ((raw[raw.length - 1] + 1) % 10);
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(labels))) {
            out.write(raw);
        }
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnistSlice.load(copy));
        assertTrue(e.getMessage().contains(labels.toString()) && e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void theSliceIsTheHeadOfDebiansFashionMnist() throws IOException {
        Path debian = Path.of(FashionMnistSource.DEBIAN_DIR);
        assumeTrue(IdxDirectorySource.find(debian).isPresent(), "Fashion-MNIST is not installed in " + debian
                + " (apt-get install " + FashionMnistSource.DEBIAN_PACKAGE + "; .ci/run does): the slice's"
                + " SHA256SUMS are still checked by the other tests");
        try (DatasetPair slice = FashionMnistSlice.load();
             DatasetPair full = IdxDirectorySource.of(debian).load();
             Dataset trainHead = full.train().head(FashionMnistSlice.TRAIN);
             Dataset testHead = full.test().head(FashionMnistSlice.TEST)) {
            assertArrayEquals(trainHead.labels(), slice.train().labels());
            assertArrayEquals(testHead.labels(), slice.test().labels());
            assertArrayEquals(trainHead.images().toArray(), slice.train().images().toArray());
            assertArrayEquals(testHead.images().toArray(), slice.test().images().toArray());
        }
    }
}
