package dev.panamax.backend;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Eight threads call one backend at once, through one {@link FloatBlas}: mixed shapes (small ones that run
 * on the caller, large ones that want the worker pool or OpenBLAS's threads), both storage orders, float[]
 * and native memory, each thread with its own operands. Every result is checked against the scalar
 * reference (double accumulation) with {@link GemmEquivalenceTest}'s bound, so a call that read another
 * call's arguments, pack buffers or thread-count setting fails here. The backends run with 2 threads, so
 * callers contend for the simd worker pool and for OpenBLAS's thread count.
 */
class FloatBlasConcurrencyTest {
    private static final int CALLERS = 8;
    private static final int CALLS_PER_CALLER = 24;
    private static final double EPS_F32 = Math.ulp(1f);
    private static final int[][] SHAPES = {{3, 5, 7}, {64, 10, 256}, {128, 96, 160}, {17, 200, 33}, {200, 64, 128}};

    @TestFactory
    List<DynamicTest> concurrentCallersEachGetTheirOwnResult() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Backends.names()) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (Backend backend = TestBackends.createOrAbort(name, 2)) {
                    stress(new FloatBlas(backend));
                }
            }));
        }
        return tests;
    }

    private static void stress(FloatBlas blas) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < CALLERS; t++) {
                int caller = t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int call = 0; call < CALLS_PER_CALLER; call++) {
                        oneCall(blas, caller, call);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : results) {
                f.get(); // rethrows the first wrong result of each caller
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void oneCall(FloatBlas blas, int caller, int call) {
        SplittableRandom rng = new SplittableRandom(caller * 1000L + call);
        int[] shape = SHAPES[(caller + call) % SHAPES.length];
        int m = shape[0];
        int n = shape[1];
        int k = shape[2];
        MatrixOrder order = (caller + call) % 2 == 0 ? MatrixOrder.ROW_MAJOR : MatrixOrder.COLUMN_MAJOR;
        boolean rowMajor = order == MatrixOrder.ROW_MAJOR;
        float[] a = random(m * k, rng);
        float[] b = random(k * n, rng);
        float[] c = new float[m * n];
        int lda = rowMajor ? k : m;
        int ldb = rowMajor ? n : k;
        int ldc = rowMajor ? n : m;
        if (call % 3 == 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sc = arena.allocate((long) c.length * Float.BYTES, 64);
                blas.sgemm(order, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k, 1f,
                        arena.allocateFrom(ValueLayout.JAVA_FLOAT, a), 0, lda, arena.allocateFrom(ValueLayout.JAVA_FLOAT, b),
                        0, ldb, 0f, sc, 0, ldc);
                c = sc.toArray(ValueLayout.JAVA_FLOAT);
            }
        } else {
            blas.sgemm(order, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0,
                    ldc);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double av = a[rowMajor ? i * lda + p : p * lda + i];
                    double bv = b[rowMajor ? p * ldb + j : j * ldb + p];
                    exact += av * bv;
                    magnitude += Math.abs(av * bv);
                }
                float got = c[rowMajor ? i * ldc + j : j * ldc + i];
                double bound = (k + 2) * EPS_F32 * magnitude;
                if (!(Math.abs(got - exact) <= bound)) {
                    throw new AssertionError("caller " + caller + " call " + call + " " + order + " " + m + "x" + n + "x"
                            + k + ": C(" + i + ", " + j + ") = " + got + ", expected " + exact + " within " + bound);
                }
            }
        }
    }

    private static float[] random(int n, SplittableRandom rng) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        return x;
    }
}
