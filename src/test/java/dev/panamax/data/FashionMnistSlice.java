package dev.panamax.data;

import dev.panamax.TestResources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The slice of real Fashion-MNIST kept in the repository (src/test/resources/fashion-mnist-slice:
 * 3,000 training and 1,000 test images), so that the end-to-end tests need no package and no network.
 * {@link #load()} checks each file against SHA256SUMS first: a damaged slice fails naming the file,
 * instead of training on garbage.
 */
public final class FashionMnistSlice {
    public static final String RESOURCE = "fashion-mnist-slice";
    public static final int TRAIN = 3000;
    public static final int TEST = 1000;

    private FashionMnistSlice() {
    }

    /** The folder of the slice: the test class path's copy, else src/test/resources (an IDE's run). */
    public static Path dir() {
        return TestResources.folder(RESOURCE, "SHA256SUMS");
    }

    /** Loads the slice from {@link #dir()}, verified. */
    public static DatasetPair load() throws IOException {
        return load(dir());
    }

    /** Loads the slice from {@code dir} after checking every file against the folder's SHA256SUMS. */
    public static DatasetPair load(Path dir) throws IOException {
        verify(dir);
        return new IdxDirectorySource(dir, "fashion-mnist", "Fashion-MNIST slice", 10, 28, 28).load();
    }

    /** The expected SHA-256 of each uncompressed file, by name, in the order SHA256SUMS lists them. */
    static Map<String, String> expectedSums(Path dir) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("SHA256SUMS"));
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+", 2);
            if (parts.length != 2 || parts[0].length() != 64) {
                throw new DatasetException(dir.resolve("SHA256SUMS") + ": malformed line '" + line + "'");
            }
            out.put(parts[1], parts[0]);
        }
        return out;
    }

    static void verify(Path dir) throws IOException {
        for (Map.Entry<String, String> e : expectedSums(dir).entrySet()) {
            Path file = dir.resolve(e.getKey() + ".gz");
            String actual;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                actual = sha256(in);
            }
            if (!actual.equals(e.getValue())) {
                throw new DatasetException(file + " is damaged: its content has SHA-256 " + actual + ", SHA256SUMS says "
                        + e.getValue() + " (restore it from git, or cut it again with scripts/make-fashion-slice)");
            }
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
