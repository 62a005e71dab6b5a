package dev.panamax.backend.simd;

import dev.panamax.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Bias + activation forward and activation backward, one fused pass each.
 *
 * <p>Accuracy: sigmoid and tanh come from {@link VectorMath} (about 1-2 ulp, and the same bits whether
 * the JIT compiled them or not, which exact resume needs), so results agree with the scalar reference (double, rounded once) within a few float ulps, not bit
 * for bit. Large |x| saturates to 0, 1 or +-1 (exp overflows to infinity, and 1 / inf = 0); NaN propagates.
 */
final class SimdActivations {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private SimdActivations() {
    }

    // x (R,C), bias (C) or null -> y (R,C)
    static void biasActivation(MemorySegment x, MemorySegment bias, Activation act, MemorySegment y, int rows, int cols) {
        int bound = F.loopBound(cols);
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols * Float.BYTES;
            int j = 0;
            for (; j < bound; j += L) {
                long at = row + (long) j * Float.BYTES;
                FloatVector v = FloatVector.fromMemorySegment(F, x, at, ORDER);
                if (bias != null) {
                    v = v.add(FloatVector.fromMemorySegment(F, bias, (long) j * Float.BYTES, ORDER));
                }
                apply(act, v).intoMemorySegment(y, at, ORDER);
            }
            if (j < cols) {
                // tail: one masked vector, same arithmetic as the body
                VectorMask<Float> mask = F.indexInRange(j, cols);
                long at = row + (long) j * Float.BYTES;
                FloatVector v = FloatVector.fromMemorySegment(F, x, at, ORDER, mask);
                if (bias != null) {
                    v = v.add(FloatVector.fromMemorySegment(F, bias, (long) j * Float.BYTES, ORDER, mask));
                }
                apply(act, v).intoMemorySegment(y, at, ORDER, mask);
            }
        }
    }

    private static FloatVector apply(Activation act, FloatVector v) {
        return switch (act) {
            case IDENTITY -> v;
            // v <= 0 (-0 included) becomes +0; NaN compares false, so it stays NaN
            case RELU -> v.blend(0f, v.compare(VectorOperators.LE, 0f));
            // 1 / (1 + exp(-v)): exp(100) = inf gives 0, exp(-100) = 0 gives 1
            case SIGMOID -> VectorMath.sigmoid(v);
            case TANH -> VectorMath.tanh(v);
        };
    }

    // act, x (N) for relu, y (N) for sigmoid/tanh, dy (N) -> dx (N); dx may alias dy
    static void activationBackward(Activation act, MemorySegment x, MemorySegment y, MemorySegment dy,
                                   MemorySegment dx, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, ORDER);
            derivativeTimes(act, x, y, g, at, F.maskAll(true)).intoMemorySegment(dx, at, ORDER);
        }
        if (i < n) {
            VectorMask<Float> mask = F.indexInRange(i, n);
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, ORDER, mask);
            derivativeTimes(act, x, y, g, at, mask).intoMemorySegment(dx, at, ORDER, mask);
        }
    }

    // g * act'(.) at byte offset at, lanes in mask; the same operation order as the scalar reference
    private static FloatVector derivativeTimes(Activation act, MemorySegment x, MemorySegment y, FloatVector g,
                                               long at, VectorMask<Float> mask) {
        return switch (act) {
            case IDENTITY -> g;
            case RELU -> {
                FloatVector a = FloatVector.fromMemorySegment(F, x, at, ORDER, mask);
                // a > 0: g; a NaN: a itself (NaN); otherwise 0. a == a is the not-NaN test: test(IS_NAN).not()
                // is not intrinsified and ran as a boxed call (2% of a training step)
                FloatVector zeroOrNaN = a.blend(0f, a.compare(VectorOperators.EQ, a));
                yield zeroOrNaN.blend(g, a.compare(VectorOperators.GT, 0f));
            }
            case SIGMOID -> {
                FloatVector s = FloatVector.fromMemorySegment(F, y, at, ORDER, mask);
                yield g.mul(s.mul(s.neg().add(1f)));
            }
            case TANH -> {
                FloatVector t = FloatVector.fromMemorySegment(F, y, at, ORDER, mask);
                yield g.mul(t.mul(t).neg().add(1f));
            }
        };
    }
}
