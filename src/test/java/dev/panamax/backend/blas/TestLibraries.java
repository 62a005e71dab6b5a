package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;

import java.io.File;
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
 * and always the bundled one, extracted once per test JVM into a temporary cache folder.
 */
final class TestLibraries {
    /**
     * Loaded before any bundled copy: once a bundled libopenblas.so.0 is in the process, the
     * dynamic linker answers a request by that SONAME with it, and the system one would never be
     * tested. Every test class that loads the bundled library goes through this class first.
     */
    private static final BlasLibrary SYSTEM = systemOpenBlasInstalled() ? loadInstalledSystem() : null;
    /**
     * The test JVM's bundled cache, also set as the default cache so that tests going through
     * {@link BlasLibrary#load()} on a machine without a system OpenBLAS neither write into the
     * user's ~/.cache nor load a second copy.
     */
    private static final Path BUNDLED_CACHE = temporaryCache();
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

    private static Path temporaryCache() {
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

    /**
     * Whether a libopenblas.so.0 sits in a folder the dynamic linker searches by default or in
     * LD_LIBRARY_PATH: the independent expectation for {@link BlasLibrary#loadSystem()}.
     */
    static boolean systemOpenBlasInstalled() {
        List<String> dirs = new ArrayList<>(List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(File.pathSeparator)));
        }
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.exists(Path.of(d, BlasLibrary.SYSTEM_SONAME)));
    }

    private static BlasLibrary loadInstalledSystem() {
        try {
            return BlasLibrary.loadSystem();
        } catch (BackendUnavailableException e) {
            throw new AssertionError("libopenblas.so.0 is installed but did not load", e);
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
