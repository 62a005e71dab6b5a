package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.ffi.Dlfcn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CBLAS libraries the tests run on: the system's OpenBLAS where the dynamic linker finds one,
 * and always the bundled one, extracted into the test JVM's cache folder: the one the build names
 * with -Dpanamax.blas.cache (under target/, never the user's ~/.cache), else a temporary folder.
 */
final class TestLibraries {
    /**
     * Loaded before any bundled copy: once a bundled libopenblas.so.0 is in the process, the
     * dynamic linker answers a request by that SONAME with it, and the system one would never be
     * tested. Every test class that loads the bundled library goes through this class first.
     */
    private static final BlasLibrary SYSTEM = loadSystemIfPresent();
    /**
     * The test JVM's bundled cache, also the default cache, so that tests going through
     * {@link BlasLibrary#load()} on a machine without a system OpenBLAS load this same copy.
     */
    private static final Path BUNDLED_CACHE = testCache();
    private static BlasLibrary bundled;

    private TestLibraries() {
    }

    /** The bundled OpenBLAS, extracted into a temp folder removed when the JVM exits. */
    static synchronized BlasLibrary bundled() {
        if (bundled == null) {
            bundled = BlasLibrary.loadBundled(BUNDLED_CACHE);
        }
        return bundled;
    }

    private static Path testCache() {
        String configured = System.getProperty(BundledOpenBlas.CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("panamax-blas-cache");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        System.setProperty(BundledOpenBlas.CACHE_PROPERTY, dir.toString());
        return dir;
    }

    /** Whether the dynamic linker found a system libopenblas.so.0 (not a bundled copy) for this JVM. */
    static boolean systemOpenBlasInstalled() {
        return SYSTEM != null;
    }

    /**
     * The system OpenBLAS where the linker opens one; null where it opens none, or where the copy it
     * answers with is a bundled one that an earlier test of this JVM loaded (SystemOpenBlasTest, in a
     * JVM of its own, is where the system path itself is checked).
     */
    private static BlasLibrary loadSystemIfPresent() {
        if (Dlfcn.openError(BlasLibrary.SYSTEM_SONAME).isPresent()) {
            return null;
        }
        try {
            BlasLibrary lib = BlasLibrary.loadSystem();
            return lib.source() == BlasLibrary.Source.SYSTEM ? lib : null;
        } catch (BackendUnavailableException e) {
            throw new AssertionError("the dynamic linker opens libopenblas.so.0, but it did not load as CBLAS", e);
        }
    }

    /** The system OpenBLAS, or null where none is installed. */
    static BlasLibrary system() {
        return SYSTEM;
    }

    /** Every library to test on: system (when installed) and bundled. */
    static List<BlasLibrary> all() {
        List<BlasLibrary> out = new ArrayList<>();
        if (SYSTEM != null) {
            out.add(SYSTEM);
        }
        out.add(bundled());
        return out;
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
