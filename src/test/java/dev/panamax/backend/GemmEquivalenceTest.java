package dev.panamax.backend;

import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every backend that loads here, GEMM against the scalar reference, through {@link Compute}: sizes that
 * break every tail and block edge (1, 2, 7, 15, 16, 17, 31, 33, 103, 207, 1025), all four transposes,
 * several alpha/beta, and beta = 0 over a C full of NaN (which must not leak into the result); the bound is
 * {@link GemmReferenceCheck}'s.
 */
class GemmEquivalenceTest {
    private static final List<Backend> BACKENDS = TestBackends.available(2);

    /** (m, n, k): every listed size appears as m, n and k somewhere; m * n * k <= 2e7 each. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {2, 7, 15}, {15, 16, 17}, {17, 31, 33}, {33, 17, 16}, {16, 33, 2},
            {103, 207, 31}, {207, 103, 33}, {1025, 2, 7}, {7, 1025, 15}, {31, 15, 1025},
            {16, 33, 1025}, {1025, 33, 103}, {2, 1, 207},
            // MLP-like shapes: several k blocks, several panels, big enough to run on both threads
            {128, 200, 784}, {200, 128, 256},
            // one small dimension (1, 7, 10, 15, 16, 17) with the others large: the small-m, small-n
            // and short-k paths (B read in place, narrow tiles), and the MLP's own 10-class shapes
            {128, 10, 256}, {10, 256, 128}, {128, 256, 10},
            // C of 5 or 10 rows in whole 4-vector blocks (the 5-row tiles), with k in several blocks
            {10, 64, 1300}, {5, 192, 40},
            // the short-k product (k <= 16) in whole blocks: shortest, longest, and alpha and beta applied
            {128, 128, 13}, {12, 192, 3}, {64, 128, 16},
            {1, 300, 200}, {7, 200, 129}, {15, 129, 64}, {16, 100, 33}, {17, 257, 40},
            {300, 1, 100}, {200, 7, 129}, {129, 15, 300}, {100, 16, 64}, {64, 17, 300},
            {257, 130, 1}, {130, 257, 7}, {100, 70, 15}, {70, 100, 16}, {64, 300, 17},
            // dot products of stored rows (NT, C narrower than a tile, k a multiple of every width's L): odd
            // rows and columns, so that the blocks past the edge repeat a row or column, and beta applied
            {37, 13, 64}, {9, 9, 32}};

    /** (alpha, beta) rotated over the shapes; beta = 0 runs over a NaN-filled C. */
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, -1.5f}, {-2f, 1f}, {1f, 0f}, {0.75f, 0.25f}};

    @AfterAll
    static void closeBackends() {
        BACKENDS.forEach(Backend::close);
    }

    @org.junit.jupiter.api.Test
    void vectorBackendIsAmongTheTestedWhenItsModuleIsLoaded() {
        // the unrestricted list skips what fails to load; this keeps a broken simd backend from passing by absence
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && TestBackends.names().contains("simd")) {
            assertTrue(BACKENDS.stream().anyMatch(b -> b.name().equals("simd")),
                    "simd must load when jdk.incubator.vector is present: " + Backends.survey(1));
        }
    }

    @TestFactory
    List<DynamicTest> gemmMatchesScalarOnEveryBackend() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            for (int s = 0; s < SHAPES.length; s++) {
                int[] shape = SHAPES[s];
                float[] ab = ALPHA_BETA[s % ALPHA_BETA.length];
                for (int t = 0; t < 4; t++) {
                    boolean transA = (t & 1) != 0;
                    boolean transB = (t & 2) != 0;
                    String name = backend.name() + " gemm m=" + shape[0] + " n=" + shape[1] + " k=" + shape[2]
                            + (transA ? " A^T" : "") + (transB ? " B^T" : "") + " alpha=" + ab[0] + " beta=" + ab[1];
                    tests.add(DynamicTest.dynamicTest(name, () -> GemmReferenceCheck.check(backend, shape[0], shape[1], shape[2],
                            transA, transB, ab[0], ab[1], 31L * shape[0] + 7L * shape[1] + shape[2])));
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> gemmWithEmptyInnerDimensionScalesC() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            tests.add(DynamicTest.dynamicTest(backend.name() + " k=0", () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor a = Tensor.allocate(arena, 3, 0);
                    Tensor b = Tensor.allocate(arena, 0, 5);
                    Tensor c = Tensor.allocate(arena, 3, 5).fill(2f);
                    new Compute(backend).gemm(false, false, 1f, a, b, 0.5f, c);
                    for (float v : c.toArray()) {
                        assertEquals(1f, v, "C = 0.5 * C when k = 0");
                    }
                    c.fill(Float.NaN);
                    new Compute(backend).gemm(false, false, 1f, a, b, 0f, c);
                    for (float v : c.toArray()) {
                        assertEquals(0f, v, "C = 0 when k = 0 and beta = 0, whatever C held");
                    }
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> gemmOnConfinedTensorsWorks() {
        // a confined arena's segments are readable only by their owner: the backend must not hand them to workers
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            tests.add(DynamicTest.dynamicTest(backend.name() + " gemm on confined tensors", () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor a = Tensor.allocate(arena, 200, 300).fill(0.5f);
                    Tensor b = Tensor.allocate(arena, 300, 200).fill(2f);
                    Tensor c = Tensor.allocate(arena, 200, 200);
                    new Compute(backend).gemm(false, false, 1f, a, b, 0f, c);
                    for (float v : c.toArray()) {
                        assertEquals(300f, v, "sum of 300 products 0.5 * 2 (exact in float)");
                    }
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> gemmOnRowViewsWritesOnlyTheView() {
        // C a view of rows [1, 4) of a bigger tensor: the rows around it must stay untouched
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend backend : BACKENDS) {
            tests.add(DynamicTest.dynamicTest(backend.name() + " gemm into a row view", () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Random random = new Random(5);
                    Tensor a = Tensor.allocate(arena, 3, 17);
                    Tensor b = Tensor.allocate(arena, 17, 33);
                    GemmReferenceCheck.fillUniform(a, random);
                    GemmReferenceCheck.fillUniform(b, random);
                    Tensor whole = Tensor.allocate(arena, 5, 33).fill(7f);
                    new Compute(backend).gemm(false, false, 1f, a, b, 0f, whole.rows(1, 3));
                    for (int j = 0; j < 33; j++) {
                        assertEquals(7f, whole.get(0, j), "row above the view");
                        assertEquals(7f, whole.get(4, j), "row below the view");
                        assertTrue(Float.isFinite(whole.get(2, j)));
                    }
                }
            }));
        }
        return tests;
    }
}
