package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The unit-stride level-1 and level-2 calls of the BLAS-style API: dot and gemv. Byte offsets; the
 * caller (SimdBackend) has taken strided calls to the reference.
 */
final class SimdBlas {
    private static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    /** Independent accumulators of the dot product: four hide the FMA latency (4 cycles) on two pipes. */
    private static final int DOT_VECTORS = 4;

    private SimdBlas() {
    }

    /**
     * Sum of x[i] * y[i] over n floats from byte offsets xAt and yAt, in float: four lane-wise partial
     * sums, then the lanes. Error bound like any float dot product: about n * eps_f32 * sum |x[i] y[i]|.
     */
    static float dot(int n, MemorySegment x, long xAt, MemorySegment y, long yAt) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        int i = 0;
        int step = DOT_VECTORS * L;
        for (; i + step <= n; i += step) {
            long dx = xAt + (long) i * Float.BYTES;
            long dy = yAt + (long) i * Float.BYTES;
            long v = (long) L * Float.BYTES;
            s0 = FloatVector.fromMemorySegment(F, x, dx, ORDER).fma(FloatVector.fromMemorySegment(F, y, dy, ORDER), s0);
            s1 = FloatVector.fromMemorySegment(F, x, dx + v, ORDER)
                    .fma(FloatVector.fromMemorySegment(F, y, dy + v, ORDER), s1);
            s2 = FloatVector.fromMemorySegment(F, x, dx + 2 * v, ORDER)
                    .fma(FloatVector.fromMemorySegment(F, y, dy + 2 * v, ORDER), s2);
            s3 = FloatVector.fromMemorySegment(F, x, dx + 3 * v, ORDER)
                    .fma(FloatVector.fromMemorySegment(F, y, dy + 3 * v, ORDER), s3);
        }
        for (; i < n; i += L) {
            VectorMask<Float> valid = F.indexInRange(i, n);
            long dx = xAt + (long) i * Float.BYTES;
            long dy = yAt + (long) i * Float.BYTES;
            s0 = FloatVector.fromMemorySegment(F, x, dx, ORDER, valid)
                    .fma(FloatVector.fromMemorySegment(F, y, dy, ORDER, valid), s0);
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /** Rows of A taken together by gemv's dot products: each load of x then serves four rows' FMAs. */
    private static final int GEMV_ROWS = 4;
    /**
     * Rows of A added into y per pass of op(A) = A^T: each load and store of y then serves eight FMAs, and eight
     * rows of A stream at once, which keeps more of memory's bandwidth busy than four did.
     */
    private static final int ROWS_PER_Y_PASS = 8;

    /**
     * {@code y = alpha * op(A) x + beta * y}, A (m,n) row-major, rows lda floats apart from byte aAt, x and y
     * contiguous; beta == 0: y not read. op(A) = A: y[i] is the dot product of row i and x, four rows at a
     * time against one pass over x. op(A) = A^T: y is scaled once, then gets alpha x[p] times row p for
     * every p, eight rows per pass over y (one load and one store of y per eight FMAs, not per one).
     */
    static void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aAt, int lda,
                     MemorySegment x, long xAt, float beta, MemorySegment y, long yAt) {
        long ldaBytes = (long) lda * Float.BYTES;
        if (!trans) {
            int i = 0;
            for (; i + GEMV_ROWS <= m; i += GEMV_ROWS) {
                dotFourRows(n, a, aAt + i * ldaBytes, ldaBytes, x, xAt, alpha, beta, y, yAt + (long) i * Float.BYTES);
            }
            for (; i < m; i++) {
                float product = alpha * dot(n, a, aAt + i * ldaBytes, x, xAt);
                long yi = yAt + (long) i * Float.BYTES;
                y.set(FLOAT, yi, beta == 0f ? product : Math.fma(beta, y.get(FLOAT, yi), product));
            }
            return;
        }
        for (int j = 0; j < n; j++) {
            long yj = yAt + (long) j * Float.BYTES;
            y.set(FLOAT, yj, beta == 0f ? 0f : beta * y.get(FLOAT, yj));
        }
        int p = 0;
        for (; p + ROWS_PER_Y_PASS <= m; p += ROWS_PER_Y_PASS) {
            long row = aAt + p * ldaBytes;
            FloatVector s0 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) p * Float.BYTES));
            FloatVector s1 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 1) * Float.BYTES));
            FloatVector s2 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 2) * Float.BYTES));
            FloatVector s3 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 3) * Float.BYTES));
            FloatVector s4 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 4) * Float.BYTES));
            FloatVector s5 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 5) * Float.BYTES));
            FloatVector s6 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 6) * Float.BYTES));
            FloatVector s7 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) (p + 7) * Float.BYTES));
            int j = 0;
            for (; j + L <= n; j += L) { // body: whole vectors (masked memory operations are slow on AVX2)
                long at = (long) j * Float.BYTES;
                FloatVector acc = FloatVector.fromMemorySegment(F, y, yAt + at, ORDER);
                acc = FloatVector.fromMemorySegment(F, a, row + at, ORDER).fma(s0, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + ldaBytes + at, ORDER).fma(s1, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 2 * ldaBytes + at, ORDER).fma(s2, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 3 * ldaBytes + at, ORDER).fma(s3, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 4 * ldaBytes + at, ORDER).fma(s4, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 5 * ldaBytes + at, ORDER).fma(s5, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 6 * ldaBytes + at, ORDER).fma(s6, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 7 * ldaBytes + at, ORDER).fma(s7, acc);
                acc.intoMemorySegment(y, yAt + at, ORDER);
            }
            if (j < n) { // tail: the last partial vector
                VectorMask<Float> valid = F.indexInRange(j, n);
                long at = (long) j * Float.BYTES;
                FloatVector acc = FloatVector.fromMemorySegment(F, y, yAt + at, ORDER, valid);
                acc = FloatVector.fromMemorySegment(F, a, row + at, ORDER, valid).fma(s0, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + ldaBytes + at, ORDER, valid).fma(s1, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 2 * ldaBytes + at, ORDER, valid).fma(s2, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 3 * ldaBytes + at, ORDER, valid).fma(s3, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 4 * ldaBytes + at, ORDER, valid).fma(s4, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 5 * ldaBytes + at, ORDER, valid).fma(s5, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 6 * ldaBytes + at, ORDER, valid).fma(s6, acc);
                acc = FloatVector.fromMemorySegment(F, a, row + 7 * ldaBytes + at, ORDER, valid).fma(s7, acc);
                acc.intoMemorySegment(y, yAt + at, ORDER, valid);
            }
        }
        for (; p < m; p++) {
            FloatVector s0 = FloatVector.broadcast(F, alpha * x.get(FLOAT, xAt + (long) p * Float.BYTES));
            long row = aAt + p * ldaBytes;
            for (int j = 0; j < n; j += L) { // at most seven rows: masked throughout, no separate tail
                VectorMask<Float> valid = F.indexInRange(j, n);
                long at = (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(F, a, row + at, ORDER, valid)
                        .fma(s0, FloatVector.fromMemorySegment(F, y, yAt + at, ORDER, valid))
                        .intoMemorySegment(y, yAt + at, ORDER, valid);
            }
        }
    }

    // y[0..3] (bytes yAt on) = alpha * (rows r..r+3 of A, ldaBytes apart from rowAt) . x + beta * y
    private static void dotFourRows(int n, MemorySegment a, long rowAt, long ldaBytes, MemorySegment x, long xAt,
                                    float alpha, float beta, MemorySegment y, long yAt) {
        FloatVector d0 = FloatVector.zero(F);
        FloatVector d1 = FloatVector.zero(F);
        FloatVector d2 = FloatVector.zero(F);
        FloatVector d3 = FloatVector.zero(F);
        int j = 0;
        for (; j + L <= n; j += L) { // body: whole vectors
            long at = (long) j * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xAt + at, ORDER);
            d0 = FloatVector.fromMemorySegment(F, a, rowAt + at, ORDER).fma(xv, d0);
            d1 = FloatVector.fromMemorySegment(F, a, rowAt + ldaBytes + at, ORDER).fma(xv, d1);
            d2 = FloatVector.fromMemorySegment(F, a, rowAt + 2 * ldaBytes + at, ORDER).fma(xv, d2);
            d3 = FloatVector.fromMemorySegment(F, a, rowAt + 3 * ldaBytes + at, ORDER).fma(xv, d3);
        }
        if (j < n) { // tail: masked, the lanes past n load as zeros
            VectorMask<Float> valid = F.indexInRange(j, n);
            long at = (long) j * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xAt + at, ORDER, valid);
            d0 = FloatVector.fromMemorySegment(F, a, rowAt + at, ORDER, valid).fma(xv, d0);
            d1 = FloatVector.fromMemorySegment(F, a, rowAt + ldaBytes + at, ORDER, valid).fma(xv, d1);
            d2 = FloatVector.fromMemorySegment(F, a, rowAt + 2 * ldaBytes + at, ORDER, valid).fma(xv, d2);
            d3 = FloatVector.fromMemorySegment(F, a, rowAt + 3 * ldaBytes + at, ORDER, valid).fma(xv, d3);
        }
        // the sums are written in place, not through a helper: a vector passed to a call C2 does not inline is boxed
        float p0 = alpha * d0.reduceLanes(VectorOperators.ADD);
        float p1 = alpha * d1.reduceLanes(VectorOperators.ADD);
        float p2 = alpha * d2.reduceLanes(VectorOperators.ADD);
        float p3 = alpha * d3.reduceLanes(VectorOperators.ADD);
        long step = Float.BYTES;
        y.set(FLOAT, yAt, beta == 0f ? p0 : Math.fma(beta, y.get(FLOAT, yAt), p0));
        y.set(FLOAT, yAt + step, beta == 0f ? p1 : Math.fma(beta, y.get(FLOAT, yAt + step), p1));
        y.set(FLOAT, yAt + 2 * step, beta == 0f ? p2 : Math.fma(beta, y.get(FLOAT, yAt + 2 * step), p2));
        y.set(FLOAT, yAt + 3 * step, beta == 0f ? p3 : Math.fma(beta, y.get(FLOAT, yAt + 3 * step), p3));
    }
}
