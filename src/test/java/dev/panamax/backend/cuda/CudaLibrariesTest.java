package dev.panamax.backend.cuda;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.ffi.Dlfcn;
import dev.panamax.backend.cuda.ffi.Cublas;
import dev.panamax.backend.cuda.ffi.CudaDriver;
import dev.panamax.backend.ffi.MissingSymbolsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding layer's failure paths, on any machine: libraries without the functions, missing and
 * broken files, a bad property. Where a real driver or cuBLAS is installed the search must go past
 * the broken candidates to it; where none is, the message must list every attempt and the fix.
 */
class CudaLibrariesTest {

    static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention '" + part + "': " + message);
        }
    }

    /** The real file of zlib, found through a symbol so that no distribution folder is assumed. */
    private static Path libz() {
        SymbolLookup z = SymbolLookup.libraryLookup("libz.so.1", Arena.global());
        return Path.of(Dlfcn.fileOf(z.findOrThrow("zlibVersion")).orElseThrow());
    }

    private static Path libjava() {
        return Path.of(System.getProperty("java.home"), "lib", "libjava.so");
    }

    static boolean systemHas(String soname) {
        return Dlfcn.openError(soname).isEmpty();
    }

    @Test
    void driverBindingNamesEveryMissingFunction() {
        SymbolLookup notCuda = SymbolLookup.libraryLookup(libjava(), Arena.global());
        var e = assertThrows(MissingSymbolsException.class, () -> CudaDriver.bind(notCuda));
        assertEquals(CudaDriver.REQUIRED_SYMBOLS, e.missing());
        assertMentions(e.getMessage(), "cuInit", "cuMemAlloc_v2", "cuLaunchKernel", "cuModuleLoadData");
    }

    @Test
    void cublasBindingNamesEveryMissingFunction() {
        SymbolLookup zlib = SymbolLookup.libraryLookup(libz(), Arena.global());
        var e = assertThrows(MissingSymbolsException.class, () -> Cublas.bind(zlib));
        assertEquals(Cublas.REQUIRED_SYMBOLS, e.missing());
        assertMentions(e.getMessage(), "cublasCreate_v2", "cublasSgemm_v2", "cublasSetMathMode");
    }

    @Test
    void propertyFolderThatDoesNotExistIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-folder");
        var e = assertThrows(BackendUnavailableException.class, () -> CudaLibraries.searchFolders(missing.toString(), null));
        assertMentions(e.getMessage(), "-Dpanamax.cuda.lib=" + missing, "does not exist");
    }

    @Test
    void propertyNamingAFileIsRejected(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("libcuda.so.1"), "x");
        var e = assertThrows(BackendUnavailableException.class, () -> CudaLibraries.searchFolders(file.toString(), null));
        assertMentions(e.getMessage(), file.toString(), "is not a folder");
    }

    @Test
    void searchOrderIsPropertyThenCudaHome(@TempDir Path dir) {
        List<Path> folders = CudaLibraries.searchFolders(dir.toString(), "/opt/cuda");
        assertEquals(List.of(dir.toAbsolutePath(), Path.of("/opt/cuda/lib64"), Path.of("/opt/cuda/targets/x86_64-linux/lib")),
                folders);
        assertEquals(List.of(), CudaLibraries.searchFolders(" ", ""));
    }

    @Test
    void zlibInThePropertyFolderIsNotCublas(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve("libcublas.so.13"), libz());
        List<Path> folders = CudaLibraries.searchFolders(dir.toString(), null);
        if (systemHas("libcublas.so.13") || systemHas("libcublas.so.12")) {
            // the search goes past the impostor to the real library
            var loaded = CudaLibraries.loadCublas(folders);
            assertNotEquals(libz().toString(), loaded.path());
            return;
        }
        var e = assertThrows(BackendUnavailableException.class, () -> CudaLibraries.loadCublas(folders));
        assertMentions(e.getMessage(), "no cuBLAS library", dir.resolve("libcublas.so.13") + ": not the cuBLAS library",
                "missing cublasCreate_v2", "libcublas.so.12", "pip install nvidia-cublas-cu12", "-Dpanamax.cuda.lib=");
    }

    @Test
    void libjavaInThePropertyFolderIsNotTheDriver(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve(CudaLibraries.DRIVER_SONAME), libjava());
        List<Path> folders = CudaLibraries.searchFolders(dir.toString(), null);
        if (systemHas(CudaLibraries.DRIVER_SONAME)) {
            assertNotEquals(libjava().toRealPath().toString(), CudaLibraries.loadDriver(folders).path());
            return;
        }
        var e = assertThrows(BackendUnavailableException.class, () -> CudaLibraries.loadDriver(folders));
        assertMentions(e.getMessage(), "no CUDA driver library", "not the CUDA driver library (missing cuGetErrorName", "cuInit",
                Dlfcn.openError(CudaLibraries.DRIVER_SONAME).orElseThrow(), "install the NVIDIA driver");
    }

    @Test
    void truncatedLibraryReportsTheLinkersReason(@TempDir Path dir) throws IOException {
        // ELF magic and then nothing: the dynamic linker's own words must reach the message
        Files.write(dir.resolve("libcublas.so.12"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        List<Path> folders = CudaLibraries.searchFolders(dir.toString(), null);
        if (systemHas("libcublas.so.13") || systemHas("libcublas.so.12")) {
            return; // covered above: a real cuBLAS wins over broken candidates
        }
        String linkersReason = Dlfcn.openError(dir.resolve("libcublas.so.12").toString()).orElseThrow();
        var e = assertThrows(BackendUnavailableException.class, () -> CudaLibraries.loadCublas(folders));
        assertMentions(e.getMessage(), dir.resolve("libcublas.so.12").toString(), linkersReason);
    }
}
