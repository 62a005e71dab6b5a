package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
 */
final class SimdSoftmax {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private SimdSoftmax() {
    }

    // x (R,C) -> y (R,C), y may alias x
    static void softmaxRows(MemorySegment x, MemorySegment y, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            float max = rowMax(x, row, cols);
            float sum = expShifted(x, row, cols, max, y);
            divide(y, row, cols, sum);
        }
    }

    // x (R,C) -> y (R,C), y may alias x
    static void logSoftmaxRows(MemorySegment x, MemorySegment y, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            float lse = (float) logSumExp(x, row, cols);
            subtract(x, row, cols, lse, y);
        }
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null; returns the sum of row losses
    static double softmaxCrossEntropy(MemorySegment logits, MemorySegment labels, MemorySegment probs,
                                      MemorySegment dlogits, float gradScale, int rows, int cols) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            int label = (int) labels.getAtIndex(FLOAT, i);
            float max = rowMax(logits, row, cols);
            float sum = expShifted(logits, row, cols, max, probs);
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

    private static double logSumExp(MemorySegment x, long row, int cols) {
        float max = rowMax(x, row, cols);
        return lse(max, expShifted(x, row, cols, max, null));
    }

    // max + log(sum of exp(x - max)); an infinite max dominates the row on its own
    private static double lse(float max, float sum) {
        return Float.isInfinite(max) ? max : max + Math.log(sum);
    }

    // x row -> its max, NaN when the row holds one
    private static float rowMax(MemorySegment x, long row, int cols) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            max = max.max(FloatVector.fromMemorySegment(F, x, row + (long) j * Float.BYTES, ORDER));
        }
        if (j < cols) {
            VectorMask<Float> mask = F.indexInRange(j, cols);
            FloatVector v = FloatVector.fromMemorySegment(F, x, row + (long) j * Float.BYTES, ORDER, mask);
            max = max.lanewise(VectorOperators.MAX, v, mask);
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    // x row, max -> sum of exp(x - max); the exponentials are also written to out's row unless out is null
    private static float expShifted(MemorySegment x, long row, int cols, float max, MemorySegment out) {
        FloatVector sum = FloatVector.zero(F);
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            long at = row + (long) j * Float.BYTES;
            FloatVector e = FloatVector.fromMemorySegment(F, x, at, ORDER).sub(max);
            e = VectorMath.exp(e);
            if (out != null) {
                e.intoMemorySegment(out, at, ORDER);
            }
            sum = sum.add(e);
        }
        if (j < cols) {
            VectorMask<Float> mask = F.indexInRange(j, cols);
            long at = row + (long) j * Float.BYTES;
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(F, x, at, ORDER, mask).sub(max));
            if (out != null) {
                e.intoMemorySegment(out, at, ORDER, mask);
            }
            sum = sum.add(e, mask);
        }
        return VectorMath.sumLanes(sum);
    }

    // y row -> y / sum (true division, as the reference does)
    private static void divide(MemorySegment y, long row, int cols, float sum) {
        int bound = F.loopBound(cols);
        int j = 0;
        for (; j < bound; j += L) {
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, y, at, ORDER).div(sum).intoMemorySegment(y, at, ORDER);
        }
        if (j < cols) {
            VectorMask<Float> mask = F.indexInRange(j, cols);
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, y, at, ORDER, mask).div(sum).intoMemorySegment(y, at, ORDER, mask);
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
        if (j < cols) {
            VectorMask<Float> mask = F.indexInRange(j, cols);
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, x, at, ORDER, mask).sub(shift).intoMemorySegment(y, at, ORDER, mask);
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
        if (j < cols) {
            VectorMask<Float> mask = F.indexInRange(j, cols);
            long at = row + (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(F, p, at, ORDER, mask).mul(factor).intoMemorySegment(out, at, ORDER, mask);
        }
    }
}
