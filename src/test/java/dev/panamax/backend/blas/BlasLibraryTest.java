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

/**
 * Library resolution: each way of failing says which file and what is wrong; the property and the
 * default choose the right copy. In a JVM of its own (surefire execution blas-loading), since which
 * copy answers a request by SONAME depends on what the JVM loaded before; the system path by SONAME is
 * SystemOpenBlasTest's.
 */
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
        // ELF magic and then nothing: passes the header sniff, fails in dlopen. The linker's own reason
        // must reach the message, in whatever words this C library uses.
        Path broken = Files.write(dir.resolve("libbroken.so"), new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        String linkersReason = Dlfcn.openError(broken.toString()).orElseThrow();
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(broken));
        assertMentions(e.getMessage(), broken.toString(), "cannot load", linkersReason);
    }

    @Test
    void libraryWithoutCblasNamesTheMissingFunctions() {
        // the JVM's own libjava.so: a real shared library that is certainly present, without CBLAS
        Path libjava = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(libjava));
        assertMentions(e.getMessage(), libjava.toString(), "not a CBLAS library", "cblas_sgemm", "cblas_sdot");
    }

    /** The right symbols and signatures, wrong numbers: refused at load, before anything computes with it. */
    @Test
    void aLibraryThatComputesWrongIsRefused(@TempDir Path dir) throws Exception {
        String compiler = dev.panamax.TestCompiler.require("a CBLAS library that computes wrong");
        Path library = dir.resolve("libwrongblas.so");
        dev.panamax.TestCompiler.sharedLibrary(compiler, "wrong_cblas.cpp", library, java.util.List.of());
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadFile(library));
        assertMentions(e.getMessage(), library.toString(), "computes wrong results", "[1.0, 1.0, 1.0, 1.0]",
                "cblas_sdot gave 0.0");
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
