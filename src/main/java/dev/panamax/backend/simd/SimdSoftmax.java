package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Row-wise softmax, log-softmax and fused softmax + cross-entropy, max-subtracted so logits of any
 * size stay finite. Exponentials come from {@link VectorMath#exp} (about 1 ulp, the same bits compiled or not) and each row's sum of
 * exponentials accumulates in float vectors: relative error about (C + 4) * eps_f32 for a row of C
 * (the scalar reference sums in double). NaN anywhere in a row makes the row's max, and so every
 * output of the row, NaN.
 *
 * <p>Allocation-free once compiled: vectors stay inside one method each (no vector crosses a call C2
 * might not inline, which would box it); exponentials of a row's partial last vector are computed on a
 * padded copy, the other tails run on scalars, so the results are the bits a masked vector tail gives.
 */
final class SimdSoftmax {
    private static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    /** Each thread's scratch, fetched once per kernel call: a sum's lanes, then a row's partial last vector. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[2 * L]);

    private SimdSoftmax() {
    }

    // x (R,C) -> y (R,C), y may alias x
    static void softmaxRows(MemorySegment x, MemorySegment y, int rows, int cols) {
        float[] lanes = LANES.get();
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            float max = rowMax(x, row, cols);
            float sum = expShifted(x, row, cols, max, y, lanes);
            divide(y, row, cols, sum);
        }
    }

    // x (R,C) -> y (R,C), y may alias x
    static void logSoftmaxRows(MemorySegment x, MemorySegment y, int rows, int cols) {
        float[] lanes = LANES.get();
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            float max = rowMax(x, row, cols);
            float lse = (float) lse(max, expShifted(x, row, cols, max, null, lanes));
            subtract(x, row, cols, lse, y);
        }
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null; returns the sum of row losses
    static double softmaxCrossEntropy(MemorySegment logits, MemorySegment labels, MemorySegment probs,
                                      MemorySegment dlogits, float gradScale, int rows, int cols) {
        float[] lanes = LANES.get();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            int label = (int) labels.getAtIndex(FLOAT, i);
            float max = rowMax(logits, row, cols);
            float sum = expShifted(logits, row, cols, max, probs, lanes);
            total += lse(max, sum) - logits.get(FLOAT, row + (long) label * Float.BYTES);
            divide(probs, row, cols, sum);
            if (dlogits != null) {
                scaleInto(probs, row, cols, gradScale, dlogits);
                long at = row + (long) label * Float.BYTES;
                dlogits.set(FLOAT, at, (probs.get(FLOAT, at) - 1f) * gradScale); // the one-hot lane
            }
        }
        return total;
    }

    // max + log(sum of exp(x - max)); an infinite max dominates the row on its own
    private static double lse(float max, float sum) {
        return Float.isInfinite(max) ? max : max + Math.log(sum);
    }

    // x row -> its max, NaN when the row holds one (max is exact and order-free, so any order gives these bits)
    private static float rowMax(MemorySegment x, long row, int cols) {
        int bound = F.loopBound(cols);
        int j = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += L) {
                m = m.max(FloatVector.fromMemorySegment(F, x, row + (long) j * Float.BYTES, ORDER));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; j < cols; j++) {
            max = Math.max(max, x.get(FLOAT, row + (long) j * Float.BYTES));
        }
        return max;
    }

    // x row, max -> sum of exp(x - max); the exponentials are also written to out's row unless out is null.
    // Lane t of the partial sums takes columns t, t + L, ... in order, then the lanes add in lane order.
    // A row's last, partial vector goes through scratch[L, 2L), padded with -inf (exp gives exactly 0,
    // which leaves a partial sum's bits unchanged): one exp call site, in the loop, so C2 inlines it
    // (a masked tail of its own was a cold call site that C2 did not inline, boxing its vectors), and
    // vector speed for the 10-class rows (scalar exp tails cost about 4% of a training step).
    private static float expShifted(MemorySegment x, long row, int cols, float max, MemorySegment out,
                                    float[] scratch) {
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < cols; j += L) {
            long at = row + (long) j * Float.BYTES;
            int count = Math.min(L, cols - j);
            FloatVector v;
            if (count == L) {
                v = FloatVector.fromMemorySegment(F, x, at, ORDER);
            } else {
                // two plain loops, not one with a branch per lane: C2's profiled loop predication kept
                // trapping on that branch (a deoptimization on every call, 87 in 3 s of training)
                for (int t = 0; t < count; t++) {
                    scratch[L + t] = x.get(FLOAT, at + (long) t * Float.BYTES);
                }
                for (int t = count; t < L; t++) {
                    scratch[L + t] = Float.NEGATIVE_INFINITY;
                }
                v = FloatVector.fromArray(F, scratch, L);
            }
            FloatVector e = VectorMath.exp(v.sub(max));
            sum = sum.add(e);
            if (out != null) {
                if (count == L) {
                    e.intoMemorySegment(out, at, ORDER);
                } else {
                    e.intoArray(scratch, L);
                    for (int t = 0; t < count; t++) {
                        out.set(FLOAT, at + (long) t * Float.BYTES, scratch[L + t]);
                    }
                }
            }
        }
        sum.intoArray(scratch, 0);
        return VectorMath.sumInOrder(scratch);
    }

    // y row -> y / sum (true division, as the reference does)
    private static void divide(MemorySegment y, long row, int cols, float sum) {
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, y, at, ORDER).div(sum).intoMemorySegment(y, at, ORDER);
        }
        for (; j < cols; j++) {
            long at = row + (long) j * Float.BYTES;
            y.set(FLOAT, at, y.get(FLOAT, at) / sum);
        }
    }

    // x row, shift -> y row = x - shift
    private static void subtract(MemorySegment x, long row, int cols, float shift, MemorySegment y) {
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, x, at, ORDER).sub(shift).intoMemorySegment(y, at, ORDER);
        }
        for (; j < cols; j++) {
            long at = row + (long) j * Float.BYTES;
            y.set(FLOAT, at, x.get(FLOAT, at) - shift);
        }
    }

    // p row, factor -> out row = p * factor
    private static void scaleInto(MemorySegment p, long row, int cols, float factor, MemorySegment out) {
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, p, at, ORDER).mul(factor).intoMemorySegment(out, at, ORDER);
        }
        for (; j < cols; j++) {
            long at = row + (long) j * Float.BYTES;
            out.set(FLOAT, at, p.get(FLOAT, at) * factor);
        }
    }
}
