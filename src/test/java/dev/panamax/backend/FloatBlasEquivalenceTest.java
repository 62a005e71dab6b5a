package dev.panamax.backend;

import dev.panamax.backend.reference.ReferenceBlas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BLAS-style API on every backend that loads, against plain loops written here from BLAS's own
 * definitions (independent of the library's row-major mapping): both storage orders, every transpose,
 * leading dimensions with gaps, offsets, positive and negative increments, and each kind of memory a
 * caller may pass ({@code float[]}, a heap segment, a native segment). Every float that is not an output
 * element (gaps between rows, the floats before the offset and after the end) starts as a NaN with a
 * payload and must come back bit for bit: inputs' NaNs must not leak into results and nothing outside
 * the output may be written. Error bound as in {@link GemmEquivalenceTest}: (k + 2) 2u relative to
 * sum |alpha a b| + |beta c|, u = 2^-24.
 */
class FloatBlasEquivalenceTest {
    private static final double EPS_F32 = Math.ulp(1f);
    /** A NaN whose payload marks "never an output": any write to it changes its bits. */
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_1234);

    private static final List<Backend> BACKENDS = TestBackends.available(2);

    /** (m, n, k): tails of every vector width; the last is past the blas backend's in-place line for heap
     *  arrays (BlasBackend.CRITICAL_MAX_FMAS = 2^25), so its heap operands go through native staging. */
    private static final int[][] SHAPES = {{1, 1, 1}, {2, 7, 15}, {17, 31, 33}, {33, 17, 16}, {128, 10, 256},
            {10, 128, 784}, {103, 207, 64}, {160, 130, 70}, {260, 256, 513}};

    private enum Memory { ARRAY, HEAP_SEGMENT, NATIVE_SEGMENT }

    @AfterAll
    static void closeBackends() {
        BACKENDS.forEach(Backend::close);
    }

    @TestFactory
    List<DynamicTest> sgemmMatchesTheDefinition() {
        List<DynamicTest> tests = new ArrayList<>();
        int variant = 0;
        for (Backend backend : BACKENDS) {
            for (int[] shape : SHAPES) {
                for (MatrixOrder order : MatrixOrder.values()) {
                    for (int t = 0; t < 4; t++) {
                        Transpose ta = (t & 1) != 0 ? Transpose.TRANSPOSE : Transpose.NO_TRANSPOSE;
                        Transpose tb = (t & 2) != 0 ? Transpose.TRANSPOSE : Transpose.NO_TRANSPOSE;
                        Memory memory = Memory.values()[variant % 3];
                        int pad = variant % 2 == 0 ? 0 : 3;
                        float beta = new float[]{0f, 1f, -0.5f}[variant % 3];
                        long seed = variant++;
                        String name = backend.name() + " sgemm " + order + " " + ta + " " + tb + " m=" + shape[0]
                                + " n=" + shape[1] + " k=" + shape[2] + " " + memory + " pad " + pad + " beta " + beta;
                        tests.add(DynamicTest.dynamicTest(name, () -> checkGemm(backend, order, ta, tb, shape[0],
                                shape[1], shape[2], pad, memory, 0.75f, beta, seed)));
                    }
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> level1And2MatchTheDefinition() {
        List<DynamicTest> tests = new ArrayList<>();
        // the longest is past BlasBackend.CRITICAL_MAX_ELEMENTS (2^22): heap vectors then go to the Vector API
        int[] lengths = {1, 7, 16, 33, 1000, (1 << 22) + 5};
        int[][] increments = {{1, 1}, {2, -3}, {-1, 1}};
        int variant = 0;
        for (Backend backend : BACKENDS) {
            for (int n : lengths) {
                for (int[] inc : increments) {
                    if (n > 100_000 && inc[0] != 1) {
                        continue; // the long vector is there for the blas backend's heap fallback, unit stride
                    }
                    Memory memory = Memory.values()[variant++ % 3];
                    String what = backend.name() + " n=" + n + " incX=" + inc[0] + " incY=" + inc[1] + " " + memory;
                    tests.add(DynamicTest.dynamicTest("sdot saxpy " + what,
                            () -> checkLevel1(backend, n, inc[0], inc[1], memory)));
                    if (inc[0] > 0) {
                        tests.add(DynamicTest.dynamicTest("sscal snrm2 " + what,
                                () -> checkScalNrm2(backend, n, inc[0], memory)));
                    }
                }
            }
            for (int[] mn : new int[][]{{1, 1}, {7, 33}, {130, 17}, {256, 784}, {2049, 2050}}) {
                for (MatrixOrder order : MatrixOrder.values()) {
                    for (Transpose trans : Transpose.values()) {
                        for (int[] inc : new int[][]{{1, 1}, {-2, 3}}) {
                            Memory memory = Memory.values()[variant++ % 3];
                            String name = backend.name() + " sgemv " + order + " " + trans + " m=" + mn[0] + " n="
                                    + mn[1] + " incX=" + inc[0] + " incY=" + inc[1] + " " + memory;
                            tests.add(DynamicTest.dynamicTest(name, () -> checkGemv(backend, order, trans, mn[0], mn[1],
                                    inc[0], inc[1], memory)));
                        }
                    }
                }
            }
            // float[] past twice BlasBackend.CRITICAL_MAX_ELEMENTS (2^22): blas cuts the call into 3 critical pieces of
            // whole rows of A (2^22 / 2800 = 1497, 1497 and 7 rows), each vector's from its far end where its increment
            // is negative
            for (MatrixOrder order : MatrixOrder.values()) {
                for (Transpose trans : Transpose.values()) {
                    for (int[] inc : new int[][]{{1, 1}, {-2, 3}, {3, -2}}) {
                        String name = backend.name() + " sgemv in pieces " + order + " " + trans + " m=3001 n=2800 incX="
                                + inc[0] + " incY=" + inc[1] + " " + Memory.ARRAY;
                        tests.add(DynamicTest.dynamicTest(name, () -> checkGemv(backend, order, trans, 3001, 2800,
                                inc[0], inc[1], Memory.ARRAY)));
                    }
                }
            }
        }
        return tests;
    }

    // ---------------------------------------------------------------- sgemm

    private static void checkGemm(Backend backend, MatrixOrder order, Transpose ta, Transpose tb, int m, int n, int k,
                                  int pad, Memory memory, float alpha, float beta, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        boolean rowMajor = order == MatrixOrder.ROW_MAJOR;
        boolean transA = ta == Transpose.TRANSPOSE;
        boolean transB = tb == Transpose.TRANSPOSE;
        Stored a = Stored.random(rowMajor, transA ? k : m, transA ? m : k, pad, 5, rng);
        Stored b = Stored.random(rowMajor, transB ? n : k, transB ? k : n, pad, 3, rng);
        Stored c = Stored.random(rowMajor, m, n, pad, 2, rng);
        if (beta == 0f) {
            c.fillElements(Float.NaN); // beta = 0: C is not read
        }
        float[] before = c.data.clone();
        try (Arena arena = Arena.ofConfined()) {
            MemoryTriple mem = new MemoryTriple(memory, arena, a.data, b.data, c.data);
            FloatBlas blas = new FloatBlas(backend);
            if (memory == Memory.ARRAY) {
                blas.sgemm(order, ta, tb, m, n, k, alpha, mem.aArray, a.offset, a.ld, mem.bArray, b.offset, b.ld, beta,
                        mem.cArray, c.offset, c.ld);
            } else {
                blas.sgemm(order, ta, tb, m, n, k, alpha, mem.a, a.offset, a.ld, mem.b, b.offset, b.ld, beta, mem.c,
                        c.offset, c.ld);
            }
            float[] result = mem.result();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double product = (double) (transA ? a.get(p, i) : a.get(i, p)) * (transB ? b.get(j, p) : b.get(p, j));
                        exact += product;
                        magnitude += Math.abs(product);
                    }
                    double cOld = beta == 0f ? 0 : before[c.index(i, j)];
                    double expected = alpha * exact + beta * cOld;
                    double bound = (k + 2) * EPS_F32 * (Math.abs(alpha) * magnitude + Math.abs(beta * cOld)) + Float.MIN_VALUE;
                    float got = result[c.index(i, j)];
                    assertTrue(Math.abs(got - expected) <= bound, "C(" + i + ", " + j + ") = " + got + ", expected "
                            + expected + " within " + bound);
                    result[c.index(i, j)] = before[c.index(i, j)]; // so that the rest compares equal below
                }
            }
            assertUntouched(before, result, "C outside its m x n elements");
            assertUntouched(a.data, mem.aNow(), "A");
            assertUntouched(b.data, mem.bNow(), "B");
        }
    }

    // ---------------------------------------------------------------- level 1 and 2

    private static void checkLevel1(Backend backend, int n, int incX, int incY, Memory memory) {
        SplittableRandom rng = new SplittableRandom(n * 31L + incX);
        StridedVector x = StridedVector.random(n, incX, 4, rng);
        StridedVector y = StridedVector.random(n, incY, 1, rng);
        FloatBlas blas = new FloatBlas(backend);
        try (Arena arena = Arena.ofConfined()) {
            MemoryTriple mem = new MemoryTriple(memory, arena, x.data, new float[1], y.data);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) x.get(i) * y.get(i);
                magnitude += Math.abs((double) x.get(i) * y.get(i));
            }
            float dot = memory == Memory.ARRAY ? blas.sdot(n, mem.aArray, x.offset, incX, mem.cArray, y.offset, incY)
                    : blas.sdot(n, mem.a, x.offset, incX, mem.c, y.offset, incY);
            assertTrue(Math.abs(dot - exact) <= (n + 1) * EPS_F32 * magnitude, "sdot " + dot + " vs " + exact);

            float alpha = -1.25f;
            float[] before = y.data.clone();
            if (memory == Memory.ARRAY) {
                blas.saxpy(n, alpha, mem.aArray, x.offset, incX, mem.cArray, y.offset, incY);
            } else {
                blas.saxpy(n, alpha, mem.a, x.offset, incX, mem.c, y.offset, incY);
            }
            float[] result = mem.result();
            // the Java backends: one fused multiply-add per element, exactly rounded. A native BLAS may round the
            // product before the sum (OpenBLAS 0.3.21 on Zen and Haswell cores does, outside its vector loop):
            // for it either rounding is the definition, nothing else
            boolean fusedOnly = backend.name().equals("scalar") || backend.name().equals("simd");
            for (int i = 0; i < n; i++) {
                int at = y.index(i);
                float fused = Math.fma(alpha, x.get(i), before[at]);
                float twoRoundings = alpha * x.get(i) + before[at];
                float got = result[at];
                String what = backend.name() + " saxpy y[" + i + "] = " + got + ", fused " + fused
                        + (fusedOnly ? "" : ", product rounded first " + twoRoundings);
                assertTrue(Float.compare(got, fused) == 0 || !fusedOnly && Float.compare(got, twoRoundings) == 0, what);
                result[at] = before[at];
            }
            assertUntouched(before, result, "y outside its elements");
        }
    }

    private static void checkScalNrm2(Backend backend, int n, int incX, Memory memory) {
        SplittableRandom rng = new SplittableRandom(n * 7L + incX);
        StridedVector x = StridedVector.random(n, incX, 3, rng);
        FloatBlas blas = new FloatBlas(backend);
        try (Arena arena = Arena.ofConfined()) {
            MemoryTriple mem = new MemoryTriple(memory, arena, new float[1], new float[1], x.data);
            double squares = 0;
            for (int i = 0; i < n; i++) {
                squares += (double) x.get(i) * x.get(i);
            }
            float norm = memory == Memory.ARRAY ? blas.snrm2(n, mem.cArray, x.offset, incX)
                    : blas.snrm2(n, mem.c, x.offset, incX);
            // a float sum of n squares (OpenBLAS's kernels may sum in float) is within (n + 1) 2u of the exact
            // one, and the square root halves a relative error
            assertEquals(Math.sqrt(squares), norm, (n + 2) * EPS_F32 * Math.sqrt(squares), "snrm2");
            float[] before = x.data.clone();
            if (memory == Memory.ARRAY) {
                blas.sscal(n, 3f, mem.cArray, x.offset, incX);
            } else {
                blas.sscal(n, 3f, mem.c, x.offset, incX);
            }
            float[] result = mem.result();
            for (int i = 0; i < n; i++) {
                int at = x.index(i);
                assertEquals(3f * before[at], result[at], 0f, "sscal x[" + i + "]");
                result[at] = before[at];
            }
            assertUntouched(before, result, "x outside its elements");
        }
    }

    private static void checkGemv(Backend backend, MatrixOrder order, Transpose trans, int m, int n, int incX, int incY,
                                  Memory memory) {
        SplittableRandom rng = new SplittableRandom(m * 131L + n);
        boolean t = trans == Transpose.TRANSPOSE;
        Stored a = Stored.random(order == MatrixOrder.ROW_MAJOR, m, n, 2, 1, rng);
        StridedVector x = StridedVector.random(t ? m : n, incX, 2, rng);
        StridedVector y = StridedVector.random(t ? n : m, incY, 3, rng);
        float alpha = 0.5f;
        float beta = incX == 1 ? 0f : -2f;
        if (beta == 0f) {
            for (int i = 0; i < y.n(); i++) {
                y.data()[y.index(i)] = Float.NaN; // beta = 0: y is not read
            }
        }
        float[] before = y.data.clone();
        FloatBlas blas = new FloatBlas(backend);
        try (Arena arena = Arena.ofConfined()) {
            MemoryTriple mem = new MemoryTriple(memory, arena, a.data, x.data, y.data);
            if (memory == Memory.ARRAY) {
                blas.sgemv(order, trans, m, n, alpha, mem.aArray, a.offset, a.ld, mem.bArray, x.offset, incX, beta,
                        mem.cArray, y.offset, incY);
            } else {
                blas.sgemv(order, trans, m, n, alpha, mem.a, a.offset, a.ld, mem.b, x.offset, incX, beta, mem.c,
                        y.offset, incY);
            }
            float[] result = mem.result();
            int rows = t ? n : m;
            int len = t ? m : n;
            for (int i = 0; i < rows; i++) {
                double exact = 0;
                double magnitude = 0;
                for (int p = 0; p < len; p++) {
                    double product = (double) (t ? a.get(p, i) : a.get(i, p)) * x.get(p);
                    exact += product;
                    magnitude += Math.abs(product);
                }
                int at = y.index(i);
                double yOld = beta == 0f ? 0 : before[at];
                double expected = alpha * exact + beta * yOld;
                double bound = (len + 2) * EPS_F32 * (Math.abs(alpha) * magnitude + Math.abs(beta * yOld));
                assertTrue(Math.abs(result[at] - expected) <= bound + Float.MIN_VALUE,
                        "y[" + i + "] = " + result[at] + ", expected " + expected + " within " + bound);
                result[at] = before[at];
            }
            assertUntouched(before, result, "y outside its elements");
        }
    }

    private static void assertUntouched(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": float " + i + " changed from " + expected[i] + " to " + actual[i]);
            }
        }
    }

    // ---------------------------------------------------------------- test storage

    /** A rows x cols matrix stored in either order, with ld = line length + pad, from an offset, sentinels around. */
    private record Stored(boolean rowMajor, int rows, int cols, int ld, int offset, float[] data) {
        static Stored random(boolean rowMajor, int rows, int cols, int pad, int offset, SplittableRandom rng) {
            int lineLength = rowMajor ? cols : rows;
            int lines = rowMajor ? rows : cols;
            int ld = Math.max(1, lineLength + pad);
            float[] data = new float[offset + Math.max(1, lines) * ld + 4];
            java.util.Arrays.fill(data, SENTINEL);
            Stored s = new Stored(rowMajor, rows, cols, ld, offset, data);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    data[s.index(i, j)] = (float) rng.nextDouble(-1, 1);
                }
            }
            return s;
        }

        int index(int i, int j) {
            return offset + (rowMajor ? i * ld + j : j * ld + i);
        }

        float get(int i, int j) {
            return data[index(i, j)];
        }

        void fillElements(float v) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    data[index(i, j)] = v;
                }
            }
        }
    }

    /** n elements, increment inc (BLAS: negative walks from the far end), from an offset, sentinels between. */
    private record StridedVector(int n, int inc, int offset, float[] data) {
        static StridedVector random(int n, int inc, int offset, SplittableRandom rng) {
            float[] data = new float[offset + Math.max(1, (n - 1) * Math.abs(inc) + 1) + 3];
            java.util.Arrays.fill(data, SENTINEL);
            StridedVector v = new StridedVector(n, inc, offset, data);
            for (int i = 0; i < n; i++) {
                data[v.index(i)] = (float) rng.nextDouble(-1, 1);
            }
            return v;
        }

        int index(int i) {
            return (int) ReferenceBlas.at(offset, i, n, inc);
        }

        float get(int i) {
            return data[index(i)];
        }
    }

    /** The three operands in the memory under test; the output (third) read back as a float[]. */
    private static final class MemoryTriple {
        final Memory memory;
        final MemorySegment a;
        final MemorySegment b;
        final MemorySegment c;
        final float[] cArray;
        final float[] aArray;
        final float[] bArray;

        MemoryTriple(Memory memory, Arena arena, float[] a, float[] b, float[] c) {
            this.memory = memory;
            this.aArray = a.clone();
            this.bArray = b.clone();
            this.cArray = c.clone();
            this.a = segment(memory, arena, aArray);
            this.b = segment(memory, arena, bArray);
            this.c = segment(memory, arena, cArray);
        }

        private static MemorySegment segment(Memory memory, Arena arena, float[] values) {
            if (memory == Memory.NATIVE_SEGMENT) {
                return arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            }
            return MemorySegment.ofArray(values);
        }

        float[] result() {
            return memory == Memory.NATIVE_SEGMENT ? c.toArray(ValueLayout.JAVA_FLOAT) : cArray;
        }

        float[] aNow() {
            return memory == Memory.NATIVE_SEGMENT ? a.toArray(ValueLayout.JAVA_FLOAT) : aArray;
        }

        float[] bNow() {
            return memory == Memory.NATIVE_SEGMENT ? b.toArray(ValueLayout.JAVA_FLOAT) : bArray;
        }
    }
}
