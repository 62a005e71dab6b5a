package dev.panamax.backend.cuda;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.cuda.ffi.Cublas;
import dev.panamax.backend.cuda.ffi.CudaException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The jextract-generated cuBLAS descriptors against NVIDIA's real library: every function the binding
 * needs is exported under the name the generated struct carries, and calls through the generated
 * descriptors reach the real functions and come back with what cuBLAS documents for them. Without a
 * GPU driver cuBLAS still answers {@code cublasGetVersion_v2} (it ignores the handle) and refuses the
 * calls that need a context with {@code CUBLAS_STATUS_NOT_INITIALIZED}; with one, a handle is created and
 * destroyed.
 *
 * <p>The library: the folder in {@code PANAMAX_TEST_CUBLAS_DIR} (.ci/run unpacks pip's
 * {@code nvidia-cublas} wheel there when the machine has it), else the usual search. Runs in a JVM of its
 * own (pom: real-cublas-tests): a loaded libcublas.so.13 would answer for its SONAME in every later test.
 */
class RealCublasTest {
    private static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    private static Cublas cublas;
    private static String path;
    private static String unavailable;

    @BeforeAll
    static void loadTheRealLibrary() {
        String dir = System.getenv("PANAMAX_TEST_CUBLAS_DIR");
        if (dir != null && !dir.isBlank()) {
            // named (CI unpacked it): it must load, from there, or the test fails rather than skips
            Path folder = Path.of(dir).toAbsolutePath();
            assertTrue(Files.isDirectory(folder), "PANAMAX_TEST_CUBLAS_DIR=" + dir + " is not a folder");
            CudaLibraries.Loaded<Cublas> loaded = CudaLibraries.loadCublas(List.of(folder));
            assertTrue(Path.of(loaded.path()).toAbsolutePath().startsWith(folder),
                    "loaded " + loaded.path() + ", not the library in PANAMAX_TEST_CUBLAS_DIR=" + dir);
            cublas = loaded.bindings();
            path = loaded.path();
            return;
        }
        CudaLibraries.Loaded<Cublas> loaded;
        try {
            loaded = CudaLibraries.loadCublas(CudaLibraries.defaultFolders());
        } catch (BackendUnavailableException e) {
            unavailable = "no real cuBLAS here (" + e.getMessage() + "); set PANAMAX_TEST_CUBLAS_DIR to a folder"
                    + " holding libcublas.so.13 and libcublasLt.so.13, e.g. pip's nvidia-cublas wheel's nvidia/cu13/lib";
            return;
        }
        cublas = loaded.bindings();
        path = loaded.path();
    }

    // each test reports the skip and its reason (an assumption in @BeforeAll shows as no tests at all)
    @BeforeEach
    void requireTheLibrary() {
        assumeTrue(cublas != null, unavailable);
    }

    @Test
    void theVersionComesBackThroughTheGeneratedDescriptor() {
        int version = cublas.version(MemorySegment.NULL);
        int major = version / 10000;
        assertTrue(path.contains("libcublas.so." + major), "version " + version + " from " + path);
        assertTrue(major == 12 || major == 13, "cuBLAS 12 or 13: " + version);
        assertTrue(version % 10000 / 100 < 100 && version % 100 < 100, "major*10000 + minor*100 + patch: " + version);
    }

    @Test
    void callsThatNeedAContextAreRefusedByStatusNotByACrash() {
        MemorySegment handle;
        try {
            handle = cublas.create();
        } catch (CudaException e) {
            // no driver or no GPU: every call that needs a handle says so, by name
            assertEquals("cublasCreate_v2", e.call());
            assertEquals(CUBLAS_STATUS_NOT_INITIALIZED, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains("CUBLAS_STATUS_NOT_INITIALIZED"), e.getMessage());
            CudaException math = assertThrows(CudaException.class,
                    () -> cublas.setMathMode(MemorySegment.NULL, Cublas.CUBLAS_DEFAULT_MATH));
            assertEquals("cublasSetMathMode", math.call());
            assertEquals(CUBLAS_STATUS_NOT_INITIALIZED, math.status());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
                CudaException gemm = assertThrows(CudaException.class, () -> cublas.sgemm(MemorySegment.NULL,
                        Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_T, 2, 2, 2, one, 0L, 2, 0L, 2, one, 0L, 2));
                assertEquals("cublasSgemm_v2", gemm.call());
                assertEquals(CUBLAS_STATUS_NOT_INITIALIZED, gemm.status());
            }
            return;
        }
        // a machine with a GPU: the handle is real
        assertNotEquals(MemorySegment.NULL, handle);
        assertEquals(cublas.version(MemorySegment.NULL), cublas.version(handle));
        cublas.setMathMode(handle, Cublas.CUBLAS_DEFAULT_MATH);
        cublas.destroy(handle);
    }
}
