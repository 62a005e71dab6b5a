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

    /**
     * {@code y = alpha * op(A) x + beta * y}, A (m,n) row-major, rows lda floats apart from byte aAt, x and y
     * contiguous; beta == 0: y not read. op(A) = A: each y[i] is a dot product of row i and x. op(A) = A^T:
     * y is scaled once, then gets alpha * x[p] times row p added for each p (rows read in order, whole).
     */
    static void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aAt, int lda,
                     MemorySegment x, long xAt, float beta, MemorySegment y, long yAt) {
        long ldaBytes = (long) lda * Float.BYTES;
        if (!trans) {
            for (int i = 0; i < m; i++) {
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
        for (int p = 0; p < m; p++) {
            float scaled = alpha * x.get(FLOAT, xAt + (long) p * Float.BYTES);
            long row = aAt + p * ldaBytes;
            int j = 0;
            for (; j + L <= n; j += L) {
                long at = (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(F, a, row + at, ORDER)
                        .fma(FloatVector.broadcast(F, scaled), FloatVector.fromMemorySegment(F, y, yAt + at, ORDER))
                        .intoMemorySegment(y, yAt + at, ORDER);
            }
            if (j < n) {
                VectorMask<Float> valid = F.indexInRange(j, n);
                long at = (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(F, a, row + at, ORDER, valid)
                        .fma(FloatVector.broadcast(F, scaled), FloatVector.fromMemorySegment(F, y, yAt + at, ORDER, valid))
                        .intoMemorySegment(y, yAt + at, ORDER, valid);
            }
        }
    }
}
