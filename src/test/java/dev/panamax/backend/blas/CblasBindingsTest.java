package dev.panamax.backend.blas;

import dev.panamax.backend.blas.ffi.Cblas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FFM bindings against the real libraries, on small cases worked out by hand. Every input and
 * product is a small integer or half-integer, exact in float, so results are compared exactly.
 */
class CblasBindingsTest {

    static List<BlasLibrary> libraries() {
        return TestLibraries.all();
    }

    private static MemorySegment floats(Arena arena, float... values) {
        return arena.allocateFrom(JAVA_FLOAT, values);
    }

    private static float[] read(MemorySegment s) {
        return s.toArray(JAVA_FLOAT);
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sgemmMultipliesRowMajorMatrices(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            // A (2,3) = [1 2 3; 4 5 6], B (3,2) = [7 8; 9 10; 11 12] -> AB = [58 64; 139 154]
            MemorySegment a = floats(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment b = floats(arena, 7, 8, 9, 10, 11, 12);
            MemorySegment c = floats(arena, 1, 1, 1, 1);
            blas.sgemm(Cblas.ROW_MAJOR, Cblas.NO_TRANS, Cblas.NO_TRANS, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);
            assertArrayEquals(new float[]{58, 64, 139, 154}, read(c));

            // alpha = 2, beta = 0.5 over C = AB: 2*AB + 0.5*AB = 2.5*AB
            blas.sgemm(Cblas.ROW_MAJOR, Cblas.NO_TRANS, Cblas.NO_TRANS, 2, 2, 3, 2f, a, 3, b, 2, 0.5f, c, 2);
            assertArrayEquals(new float[]{145, 160, 347.5f, 385}, read(c));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sgemmReadsTransposedOperands(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            // the same product with A stored as A^T (3,2) and B stored as B^T (2,3)
            MemorySegment at = floats(arena, 1, 4, 2, 5, 3, 6);
            MemorySegment bt = floats(arena, 7, 9, 11, 8, 10, 12);
            MemorySegment c = floats(arena, 0, 0, 0, 0);
            blas.sgemm(Cblas.ROW_MAJOR, Cblas.TRANS, Cblas.TRANS, 2, 2, 3, 1f, at, 2, bt, 3, 0f, c, 2);
            assertArrayEquals(new float[]{58, 64, 139, 154}, read(c));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sgemvInBothOrientations(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = floats(arena, 1, 2, 3, 4, 5, 6); // (2,3)
            MemorySegment x = floats(arena, 1, 1, 1);
            MemorySegment y = floats(arena, 100, 200);
            // y = A x + 0.5 y = [6, 15] + [50, 100]
            blas.sgemv(Cblas.ROW_MAJOR, Cblas.NO_TRANS, 2, 3, 1f, a, 3, x, 1, 0.5f, y, 1);
            assertArrayEquals(new float[]{56, 115}, read(y));

            // z = A^T [1, 2] = [1+8, 2+10, 3+12]
            MemorySegment v = floats(arena, 1, 2);
            MemorySegment z = floats(arena, Float.NaN, Float.NaN, Float.NaN);
            blas.sgemv(Cblas.ROW_MAJOR, Cblas.TRANS, 2, 3, 1f, a, 3, v, 1, 0f, z, 1);
            assertArrayEquals(new float[]{9, 12, 15}, read(z));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void saxpyContiguousAndStrided(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, 1, 2, 3);
            MemorySegment y = floats(arena, 10, 20, 30);
            blas.saxpy(3, 2f, x, 1, y, 1);
            assertArrayEquals(new float[]{12, 24, 36}, read(y));

            // every other element of x (1, 3, 5) into y; the skipped ones must not be read
            MemorySegment xs = floats(arena, 1, Float.NaN, 3, Float.NaN, 5, Float.NaN);
            MemorySegment ys = floats(arena, 0, 0, 0);
            blas.saxpy(3, -1f, xs, 2, ys, 1);
            assertArrayEquals(new float[]{-1, -3, -5}, read(ys));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sscalScalesInPlace(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, 1, -2, 3, 8);
            blas.sscal(3, -0.5f, x, 1); // n = 3 leaves the last element alone
            assertArrayEquals(new float[]{-0.5f, 1, -1.5f, 8}, read(x));
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void sdotContiguousAndStrided(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, 1, 2, 3);
            MemorySegment y = floats(arena, 4, 5, 6);
            assertEquals(32f, blas.sdot(3, x, 1, y, 1));
            MemorySegment xs = floats(arena, 1, 99, 2, 99, 3);
            assertEquals(32f, blas.sdot(3, xs, 2, y, 1));
            assertEquals(0f, blas.sdot(0, x, 1, y, 1)); // empty sum
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void openBlasExtensionsReportCoreConfigAndThreads(BlasLibrary lib) {
        Cblas blas = lib.cblas();
        assertTrue(blas.hasThreadControl(), "OpenBLAS exports openblas_set/get_num_threads");
        String core = blas.coreName().orElseThrow();
        assertFalse(core.isBlank(), "core name");
        assertTrue(blas.config().orElseThrow().contains("OpenBLAS"), "config: " + blas.config());
        int before = blas.numThreads().orElseThrow();
        try {
            assertTrue(blas.setNumThreads(1));
            assertEquals(1, blas.numThreads().orElseThrow());
        } finally {
            blas.setNumThreads(before);
        }
    }
}
