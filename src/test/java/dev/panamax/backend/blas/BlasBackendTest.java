package dev.panamax.backend.blas;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** BlasBackend's GEMM against the scalar reference, on every library the tests can load. */
class BlasBackendTest {
    /** Unit roundoff of float32: half an ulp of 1. */
    private static final double U = Math.ulp(1f) / 2;

    /** (m, n, k): tails around the usual kernel widths, and one size big enough for OpenBLAS to use threads. */
    private static final int[][] SIZES = {
            {1, 1, 1}, {2, 7, 15}, {17, 16, 33}, {33, 31, 103}, {103, 17, 207}, {7, 1025, 2}, {96, 128, 160}};

    static List<BlasLibrary> libraries() {
        return TestLibraries.all();
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void gemmMatchesScalarForAllTransposes(BlasLibrary lib) {
        try (BlasBackend blas = new BlasBackend(lib, 2); Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(42);
            for (int[] s : SIZES) {
                for (int t = 0; t < 4; t++) {
                    checkGemm(blas, arena, rnd, t >= 2, (t & 1) == 1, s[0], s[1], s[2], 1.5f, 0.5f, 0f);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void betaZeroIgnoresNanAndInfinityInC(BlasLibrary lib) {
        try (BlasBackend blas = new BlasBackend(lib, 2); Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(7);
            for (int[] s : SIZES) {
                for (int t = 0; t < 4; t++) {
                    checkGemm(blas, arena, rnd, t >= 2, (t & 1) == 1, s[0], s[1], s[2], 1f, 0f, Float.NaN);
                    checkGemm(blas, arena, rnd, t >= 2, (t & 1) == 1, s[0], s[1], s[2], -2f, 0f,
                            Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void alphaZeroOrEmptyReductionLeavesBetaTimesC(BlasLibrary lib) {
        try (BlasBackend blas = new BlasBackend(lib, 1); Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(3);
            // k = 0: op(A) op(B) is the empty sum, so C = beta * C (and 0 when beta == 0, NaN or not)
            checkGemm(blas, arena, rnd, false, false, 5, 6, 0, 1f, 0.5f, 0f);
            checkGemm(blas, arena, rnd, true, true, 5, 6, 0, 1f, 0f, Float.NaN);
            // alpha = 0 with beta = 0 over NaN: zeros
            checkGemm(blas, arena, rnd, false, true, 9, 4, 3, 0f, 0f, Float.NaN);
            // m = 0 or n = 0: nothing to write, and no BLAS parameter error for ld = 0
            Tensor a = Tensor.allocate(arena, 0, 3);
            Tensor b = Tensor.allocate(arena, 3, 4);
            Tensor c = Tensor.allocate(arena, 0, 4);
            blas.gemm(false, false, 0, 4, 3, 1f, a, b, 0f, c);
            Tensor c2 = Tensor.allocate(arena, 4, 0);
            blas.gemm(true, false, 4, 0, 3, 1f, Tensor.allocate(arena, 3, 4), Tensor.allocate(arena, 3, 0), 0f, c2);
        }
    }

    /**
     * Runs one GEMM on both backends and compares element by element. C starts at {@code fillC}
     * when non-zero (NaN/inf probes for beta == 0), else random.
     */
    private static void checkGemm(Backend blas, Arena arena, Random rnd, boolean transA, boolean transB,
                                  int m, int n, int k, float alpha, float beta, float fillC) {
        Tensor a = random(arena, rnd, transA ? new int[]{k, m} : new int[]{m, k});
        Tensor b = random(arena, rnd, transB ? new int[]{n, k} : new int[]{k, n});
        Tensor c0 = fillC != 0f ? Tensor.allocate(arena, m, n).fill(fillC) : random(arena, rnd, m, n);
        Tensor expected = Tensor.allocate(arena, m, n).copyFrom(c0);
        Tensor actual = Tensor.allocate(arena, m, n).copyFrom(c0);
        new ScalarBackend().gemm(transA, transB, m, n, k, alpha, a, b, beta, expected);
        blas.gemm(transA, transB, m, n, k, alpha, a, b, beta, actual);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double absSum = 0; // sum_p |a_ip b_pj|: the scale of the rounding error
                for (int p = 0; p < k; p++) {
                    float av = transA ? a.get(p, i) : a.get(i, p);
                    float bv = transB ? b.get(j, p) : b.get(p, j);
                    absSum += Math.abs((double) av * bv);
                }
                double cTerm = beta == 0f ? 0 : Math.abs((double) beta * c0.get(i, j));
                float want = expected.get(i, j);
                // float GEMM: k products and sums, the alpha scaling and the beta add each round once
                // (gamma_{k+2}); the reference itself is rounded once more from double (+1).
                double tol = (k + 3) * U * (Math.abs(alpha) * absSum + cTerm) + U * Math.abs(want);
                float got = actual.get(i, j);
                if (!(Math.abs(got - want) <= tol)) {
                    fail("gemm transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k
                            + " alpha=" + alpha + " beta=" + beta + " C0=" + fillC + ": C[" + i + "," + j + "] = " + got
                            + ", scalar " + want + " (tolerance " + tol + ")");
                }
            }
        }
    }

    private static Tensor random(Arena arena, Random rnd, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, rnd.nextFloat() * 2 - 1);
        }
        return t;
    }

    @Test
    void registryCreatesBlasAndDescribesTheLibrary() {
        TestLibraries.all(); // system loaded first, default cache in a temp folder
        try (Backend b = Backends.create("blas", 1)) {
            BlasBackend blas = assertInstanceOf(BlasBackend.class, b);
            assertEquals("blas", b.name());
            String d = b.describe();
            assertTrue(d.contains(blas.library().path()), d);
            blas.library().coreName().ifPresent(core -> assertTrue(d.contains(core), d));
            assertTrue(d.contains("elementwise from "), d);
        }
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void threadCountIsPassedToOpenBlas(BlasLibrary lib) {
        int cores = Runtime.getRuntime().availableProcessors();
        try (BlasBackend one = new BlasBackend(lib, 1)) {
            assertEquals(1, one.library().threads().orElseThrow());
        }
        try (BlasBackend all = new BlasBackend(lib, 0)) {
            int t = all.library().threads().orElseThrow();
            assertTrue(t >= 1 && t <= cores, "0 threads = all " + cores + " cores, OpenBLAS has " + t);
        }
        assertThrows(IllegalArgumentException.class, () -> new BlasBackend(lib, -1));
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void elementwiseKernelsAreDelegated(BlasLibrary lib) {
        try (BlasBackend blas = new BlasBackend(lib, 1); Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(11);
            Tensor x = random(arena, rnd, 3, 37);
            Tensor y = random(arena, rnd, 3, 37);
            Tensor expected = Tensor.allocate(arena, 3, 37).copyFrom(y);
            new ScalarBackend().axpy(0.75f, x, expected);
            blas.axpy(0.75f, x, y);
            for (long i = 0; i < y.size(); i++) {
                // one rounding of 0.75x + y, fused or not: within 2 units of roundoff of the operands' scale
                double tol = 2 * U * (Math.abs(0.75 * x.get(i)) + Math.abs(expected.get(i)));
                assertTrue(Math.abs(y.get(i) - expected.get(i)) <= tol, "axpy at " + i);
            }
            assertFalse(blas.describe().isBlank());
        }
    }
}
