package dev.panamax.backend.blas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Extraction of the jar's OpenBLAS natives into a cache folder, and loading from it. */
class BundledOpenBlasTest {

    /** The jar entry's content, read independently of the extractor's fingerprint shortcut. */
    private static BundledOpenBlas.Fingerprint jarContent(String name) throws IOException {
        try (InputStream in = BundledOpenBlasTest.class.getClassLoader()
                .getResourceAsStream(BundledOpenBlas.RESOURCE_DIR + name)) {
            return BundledOpenBlas.Fingerprint.of(in);
        }
    }

    private static BundledOpenBlas.Fingerprint fileContent(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return BundledOpenBlas.Fingerprint.of(in);
        }
    }

    private static Object identity(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.fileKey() + "@" + a.lastModifiedTime();
    }

    @Test
    void extractsEveryFileIntoAVersionedFolderInLoadOrder(@TempDir Path cache) throws IOException {
        List<Path> files = BundledOpenBlas.extract(cache);
        Path dir = cache.resolve("openblas-" + BundledOpenBlas.version());
        assertEquals(BundledOpenBlas.LOAD_ORDER, files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            assertEquals(dir, f.getParent());
            assertEquals(jarContent(f.getFileName().toString()), fileContent(f), f.toString());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".part")).toList(), "temp files left");
        }
    }

    @Test
    void matchingCacheIsReusedWithoutRewriting(@TempDir Path cache) throws IOException {
        List<Path> first = BundledOpenBlas.extract(cache);
        Object before = identity(first.getLast());
        List<Path> second = BundledOpenBlas.extract(cache);
        assertEquals(first, second);
        assertEquals(before, identity(second.getLast()));
    }

    @Test
    void corruptOrMissingCacheFilesAreExtractedAgain(@TempDir Path cache) throws IOException {
        List<Path> files = BundledOpenBlas.extract(cache);
        Path gccS = files.get(0);
        Path quadmath = files.get(1);
        Path gfortran = files.get(2);
        // same size, one byte flipped: only the checksum can tell
        byte[] bytes = Files.readAllBytes(gfortran);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(gfortran, bytes);
        // truncated, as after a crash mid-copy by something less careful than a rename
        try (var ch = Files.newByteChannel(quadmath, StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        Files.delete(gccS);
        assertNotEquals(jarContent("libgfortran.so.5"), fileContent(gfortran));

        BundledOpenBlas.extract(cache);
        for (Path f : files) {
            assertEquals(jarContent(f.getFileName().toString()), fileContent(f), f + " restored");
        }
    }

    @Test
    void bundledLibraryLoadsFromTheCacheAndComputes() {
        BlasLibrary lib = TestLibraries.bundled();
        assertEquals(BlasLibrary.Source.BUNDLED, lib.source());
        assertTrue(lib.path().endsWith("openblas-" + BundledOpenBlas.version() + "/libopenblas.so.0"), lib.path());
        String openBlasVersion = BundledOpenBlas.version().split("-")[0];
        assertTrue(lib.config().orElseThrow().contains("OpenBLAS " + openBlasVersion), lib.config().orElseThrow());
        assertTrue(lib.coreName().isPresent());
    }

    @Test
    void cacheRootFollowsTheProperty(@TempDir Path cache) {
        String before = System.getProperty(BundledOpenBlas.CACHE_PROPERTY);
        System.setProperty(BundledOpenBlas.CACHE_PROPERTY, cache.toString());
        try {
            assertEquals(cache, BundledOpenBlas.defaultCacheRoot());
        } finally {
            if (before == null) {
                System.clearProperty(BundledOpenBlas.CACHE_PROPERTY);
            } else {
                System.setProperty(BundledOpenBlas.CACHE_PROPERTY, before);
            }
        }
    }
}
