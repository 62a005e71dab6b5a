package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** BLAS level-1 style kernels over whole tensors: axpy, scale, column sums. */
final class SimdLevel1 {
    private static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    /** Column vectors summed together down the rows: 4 accumulators = 64 columns per sweep, enough
     *  independent adds to hide the 3-cycle latency on 2 pipes, few enough to stay in registers. */
    private static final int COLUMN_VECTORS = 4;

    private SimdLevel1() {
    }

    // x (N), y (N) -> y = fma(alpha, x, y)
    static void axpy(float alpha, MemorySegment x, MemorySegment y, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(F, x, at, ORDER);
            FloatVector yv = FloatVector.fromMemorySegment(F, y, at, ORDER);
            xv.fma(FloatVector.broadcast(F, alpha), yv).intoMemorySegment(y, at, ORDER);
        }
        if (i < n) {
            VectorMask<Float> mask = F.indexInRange(i, n);
            long at = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(F, x, at, ORDER, mask);
            FloatVector yv = FloatVector.fromMemorySegment(F, y, at, ORDER, mask);
            xv.fma(FloatVector.broadcast(F, alpha), yv).intoMemorySegment(y, at, ORDER, mask);
        }
    }

    // x (N) -> x = alpha * x
    static void scale(float alpha, MemorySegment x, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector.fromMemorySegment(F, x, at, ORDER).mul(alpha).intoMemorySegment(x, at, ORDER);
        }
        if (i < n) {
            VectorMask<Float> mask = F.indexInRange(i, n);
            long at = i * Float.BYTES;
            FloatVector.fromMemorySegment(F, x, at, ORDER, mask).mul(alpha).intoMemorySegment(x, at, ORDER, mask);
        }
    }

    /**
     * x (R,C) -> out (C): {@code out[j] = beta * out[j] + sum_i x[i,j]}, out not read when beta == 0.
     * Sums accumulate in float down each column: relative error up to about R * eps_f32 of
     * sum_i |x[i,j]| (the scalar reference accumulates in double).
     */
    static void columnSums(MemorySegment x, float beta, MemorySegment out, int rows, int cols) {
        long rowBytes = (long) cols * Float.BYTES;
        int wide = COLUMN_VECTORS * L;
        int j = 0;
        // Each sum starts at beta * out, or at zero without reading out when beta == 0. The starts are
        // written in place, not in a helper: a vector returned from a call C2 does not inline is boxed.
        // body: 4 vectors of columns at a time, each accumulated over all rows in registers
        for (; j + wide <= cols; j += wide) {
            long col = (long) j * Float.BYTES;
            FloatVector s0 = beta == 0f ? FloatVector.zero(F)
                    : FloatVector.fromMemorySegment(F, out, col, ORDER).mul(beta);
            FloatVector s1 = beta == 0f ? FloatVector.zero(F)
                    : FloatVector.fromMemorySegment(F, out, col + (long) L * Float.BYTES, ORDER).mul(beta);
            FloatVector s2 = beta == 0f ? FloatVector.zero(F)
                    : FloatVector.fromMemorySegment(F, out, col + 2L * L * Float.BYTES, ORDER).mul(beta);
            FloatVector s3 = beta == 0f ? FloatVector.zero(F)
                    : FloatVector.fromMemorySegment(F, out, col + 3L * L * Float.BYTES, ORDER).mul(beta);
            for (int i = 0; i < rows; i++) {
                long at = i * rowBytes + col;
                s0 = s0.add(FloatVector.fromMemorySegment(F, x, at, ORDER));
                s1 = s1.add(FloatVector.fromMemorySegment(F, x, at + (long) L * Float.BYTES, ORDER));
                s2 = s2.add(FloatVector.fromMemorySegment(F, x, at + 2L * L * Float.BYTES, ORDER));
                s3 = s3.add(FloatVector.fromMemorySegment(F, x, at + 3L * L * Float.BYTES, ORDER));
            }
            s0.intoMemorySegment(out, col, ORDER);
            s1.intoMemorySegment(out, col + (long) L * Float.BYTES, ORDER);
            s2.intoMemorySegment(out, col + 2L * L * Float.BYTES, ORDER);
            s3.intoMemorySegment(out, col + 3L * L * Float.BYTES, ORDER);
        }
        // then one vector of columns at a time
        for (; j + L <= cols; j += L) {
            long col = (long) j * Float.BYTES;
            FloatVector s = beta == 0f ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, out, col, ORDER).mul(beta);
            for (int i = 0; i < rows; i++) {
                s = s.add(FloatVector.fromMemorySegment(F, x, i * rowBytes + col, ORDER));
            }
            s.intoMemorySegment(out, col, ORDER);
        }
        // the last columns one by one: the same additions, in the same row order, as a vector lane
        for (; j < cols; j++) {
            long col = (long) j * Float.BYTES;
            float s = beta == 0f ? 0f : out.get(FLOAT, col) * beta;
            for (int i = 0; i < rows; i++) {
                s += x.get(FLOAT, i * rowBytes + col);
            }
            out.set(FLOAT, col, s);
        }
    }
}
