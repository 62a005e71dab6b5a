package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.ffi.Dlfcn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Linker;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library resolution: each way of failing says which file and what is wrong; the system path works where installed. */
class BlasLibraryTest {

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention '" + part + "': " + message);
        }
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("libnothing.so");
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(missing));
        assertMentions(e.getMessage(), missing.toString(), "does not exist");
    }

    @Test
    void folderIsNotALibrary(@TempDir Path dir) {
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(dir));
        assertMentions(e.getMessage(), dir.toString(), "not a regular file");
    }

    @Test
    void textFileIsNotALibrary(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("libfake.so"), "not a library\n");
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(text));
        assertMentions(e.getMessage(), text.toString(), "not a shared library");
    }

    @Test
    void truncatedElfIsRejectedByTheDynamicLinker(@TempDir Path dir) throws IOException {
        // ELF magic and then nothing: passes the header sniff, fails in dlopen
        Path broken = Files.write(dir.resolve("libbroken.so"), new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(broken));
        assertMentions(e.getMessage(), broken.toString(), "cannot load", "file too short");
    }

    @Test
    void libraryWithoutCblasNamesTheMissingFunctions() {
        // the JVM's own libjava.so: a real shared library that is certainly present, without CBLAS
        Path libjava = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(libjava));
        assertMentions(e.getMessage(), libjava.toString(), "not a CBLAS library", "cblas_sgemm", "cblas_sdot");
    }

    @Test
    void mathLibraryIsNotCblasEither() {
        // libm, found through the symbol cos so that the test does not depend on the distribution's folder layout
        String libm = Dlfcn.fileOf(Linker.nativeLinker().defaultLookup().findOrThrow("cos")).orElseThrow();
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(Path.of(libm)));
        assertMentions(e.getMessage(), "not a CBLAS library", "cblas_sgemm");
    }

    @Test
    void explicitlyRequestedBadLibrarySaysWhatToInstallOrSet(@TempDir Path dir) {
        Path missing = dir.resolve("libopenblas.so.0");
        String before = System.getProperty(BlasLibrary.LIBRARY_PROPERTY);
        System.setProperty(BlasLibrary.LIBRARY_PROPERTY, missing.toString());
        try {
            var e = assertThrows(BackendUnavailableException.class, () -> Backends.create("blas", 1));
            assertMentions(e.getMessage(), "-Dpanamax.blas.library=" + missing, "does not exist",
                    "apt-get install libopenblas0-pthread", "-Dpanamax.blas.library=/path/");
        } finally {
            restore(before);
        }
    }

    @Test
    void propertyPointsAtAWorkingLibrary() {
        BlasLibrary bundled = TestLibraries.bundled();
        String before = System.getProperty(BlasLibrary.LIBRARY_PROPERTY);
        System.setProperty(BlasLibrary.LIBRARY_PROPERTY, bundled.path());
        try {
            BlasLibrary lib = BlasLibrary.load();
            assertEquals(BlasLibrary.Source.FILE, lib.source());
            assertEquals(bundled.path(), lib.path());
        } finally {
            restore(before);
        }
    }

    @Test
    void propertyWordBundledForcesTheJarsCopy() {
        BlasLibrary bundled = TestLibraries.bundled(); // also points the default cache at the test's temp folder
        String before = System.getProperty(BlasLibrary.LIBRARY_PROPERTY);
        System.setProperty(BlasLibrary.LIBRARY_PROPERTY, "bundled");
        try {
            BlasLibrary lib = BlasLibrary.load();
            assertEquals(BlasLibrary.Source.BUNDLED, lib.source());
            assertEquals(bundled.path(), lib.path());
        } finally {
            restore(before);
        }
    }

    @Test
    void systemOpenBlasLoadsWhereInstalledAndFailsClearlyWhereNot() {
        if (TestLibraries.systemOpenBlasInstalled()) {
            BlasLibrary lib = TestLibraries.system();
            assertNotNull(lib);
            assertEquals(BlasLibrary.Source.SYSTEM, lib.source());
            Path file = Path.of(lib.path());
            assertTrue(Files.isRegularFile(file), "reported path is the real file: " + file);
            assertFalse(lib.path().contains("panamax-blas-cache"), "system, not a bundled copy: " + file);
            assertTrue(lib.coreName().isPresent());
        } else if (!bundledAlreadyLoaded()) {
            var e = assertThrows(BackendUnavailableException.class, BlasLibrary::loadSystem);
            assertMentions(e.getMessage(), BlasLibrary.SYSTEM_SONAME);
        } else {
            // the linker matches the SONAME against the bundled copy already in the process: whichever copy
            // an earlier test class extracted (this test's temporary cache, or the user's), not a system file
            BlasLibrary lib = BlasLibrary.loadSystem();
            assertEquals(BlasLibrary.Source.BUNDLED, lib.source());
            assertTrue(Files.isRegularFile(Path.of(lib.path())), "reported path is the real file: " + lib.path());
        }
    }

    @Test
    void nothingLoadableGivesBothReasonsAndWhatToInstall() {
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.systemThenBundled(
                () -> { throw new BackendUnavailableException("system reason X"); },
                () -> { throw new BackendUnavailableException("bundled reason Y"); }));
        assertMentions(e.getMessage(), "no CBLAS library found", "system reason X", "bundled reason Y",
                "apt-get install libopenblas0-pthread", "-Dpanamax.blas.library=");
    }

    @Test
    void bundledIsTheFallbackWhenTheSystemHasNone() {
        BlasLibrary bundled = TestLibraries.bundled();
        BlasLibrary chosen = BlasLibrary.systemThenBundled(
                () -> { throw new BackendUnavailableException("no system OpenBLAS"); }, () -> bundled);
        assertEquals(bundled, chosen);
    }

    /** Whether a libopenblas.so.0 from a bundled cache is mapped into this process. */
    private static boolean bundledAlreadyLoaded() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(line -> line.contains("/openblas-") && line.endsWith("/libopenblas.so.0"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void defaultResolutionPrefersTheSystemLibrary() {
        TestLibraries.all(); // system loaded first, default cache in a temp folder
        String before = System.getProperty(BlasLibrary.LIBRARY_PROPERTY);
        System.clearProperty(BlasLibrary.LIBRARY_PROPERTY);
        try {
            BlasLibrary lib = BlasLibrary.load();
            BlasLibrary.Source expected = TestLibraries.systemOpenBlasInstalled()
                    ? BlasLibrary.Source.SYSTEM : BlasLibrary.Source.BUNDLED;
            assertEquals(expected, lib.source());
            assertTrue(lib.summary().contains(lib.path()));
        } finally {
            restore(before);
        }
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(BlasLibrary.LIBRARY_PROPERTY);
        } else {
            System.setProperty(BlasLibrary.LIBRARY_PROPERTY, before);
        }
    }
}
