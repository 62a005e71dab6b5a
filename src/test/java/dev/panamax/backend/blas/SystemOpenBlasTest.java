package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.ffi.Dlfcn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system path: libopenblas.so.0 by SONAME, wherever the dynamic linker finds it. In a JVM of its
 * own (surefire execution blas-loading) that loads no bundled copy first, since a bundled copy in the
 * process would answer the SONAME. The expectation comes from the linker itself (dlopen), not from a
 * list of library folders; the found and the not-found paths both run on every machine: the first
 * with a copy put on LD_LIBRARY_PATH in a child JVM, the second with a SONAME no system has.
 */
class SystemOpenBlasTest {

    @BeforeAll
    static void noBundledCopyIsLoadedYet() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (Files.isReadable(maps)) {
            assertFalse(Files.readString(maps).contains("/" + BlasLibrary.SYSTEM_SONAME + "\n"),
                    "a libopenblas.so.0 is already mapped: this class must run in a JVM of its own");
        }
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention '" + part + "': " + message);
        }
    }

    @Test
    void theSystemLibraryLoadsExactlyWhenTheLinkerOpensIt() throws IOException {
        var linkersAnswer = Dlfcn.openError(BlasLibrary.SYSTEM_SONAME);
        if (linkersAnswer.isEmpty()) {
            BlasLibrary lib = BlasLibrary.loadSystem();
            assertEquals(BlasLibrary.Source.SYSTEM, lib.source());
            Path file = Path.of(lib.path());
            assertTrue(Files.isRegularFile(file), "reported path is the real file: " + file);
            assertEquals(file.toRealPath(), file, "symbolic links followed");
            assertFalse(file.startsWith(BundledOpenBlas.defaultCacheRoot()), "a system file, not a bundled copy: " + file);
            assertTrue(lib.coreName().isPresent(), "OpenBLAS names its kernels' core");
        } else {
            var e = assertThrows(BackendUnavailableException.class, BlasLibrary::loadSystem);
            assertMentions(e.getMessage(), BlasLibrary.SYSTEM_SONAME, linkersAnswer.get());
        }
    }

    @Test
    void aSonameNoSystemHasFailsWithTheLinkersOwnReason() {
        String absent = "libpanamax-absent-openblas.so.0";
        String linkersReason = Dlfcn.openError(absent).orElseThrow();
        var e = assertThrows(BackendUnavailableException.class, () -> BlasLibrary.loadSystem(absent));
        assertMentions(e.getMessage(), "the dynamic linker cannot open " + absent, linkersReason);
    }

    @Test
    void aCopyOnLdLibraryPathIsFoundBySoname(@TempDir Path dir) throws Exception {
        // the bundled natives extracted where only LD_LIBRARY_PATH points: a child JVM's loadSystem() must
        // find them through the linker's search, ahead of any system copy, and report that very file
        List<Path> files = BundledOpenBlas.extract(dir);
        Path folder = files.getLast().getParent();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SystemOpenBlasProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", folder.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + output);
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + output);
        assertEquals("SYSTEM " + folder.resolve(BlasLibrary.SYSTEM_SONAME).toRealPath(), output.lines().toList().getLast());
    }
}
