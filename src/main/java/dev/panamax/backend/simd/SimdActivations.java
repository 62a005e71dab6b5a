package dev.panamax.backend.simd;

import dev.panamax.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Bias + activation forward and activation backward, one fused pass each.
 *
 * <p>Accuracy: sigmoid and tanh come from {@link VectorMath} (about 1-2 ulp, and the same bits whether
 * the JIT compiled them or not, which exact resume needs), so results agree with the scalar reference (double, rounded once) within a few float ulps, not bit
 * for bit. Large |x| saturates to 0, 1 or +-1 (exp overflows to infinity, and 1 / inf = 0); NaN propagates.
 *
 * <p>Allocation-free once compiled: each activation has its own loop, so no vector crosses a method
 * boundary C2 might not inline (a vector passed to or returned from a call that is not inlined is
 * boxed, 96 bytes). Tails shorter than a vector (the common 10-class output row) run on scalars with
 * {@link VectorMath}'s exact scalar twins, so a tail element gets the bits a vector lane would.
 */
final class SimdActivations {
    private static final VectorSpecies<Float> F = SimdHardware.SPECIES;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private SimdActivations() {
    }

    // x (R,C), bias (C) or null -> y (R,C)
    static void biasActivation(MemorySegment x, MemorySegment bias, Activation act, MemorySegment y, int rows, int cols) {
        switch (act) {
            case IDENTITY -> biasIdentity(x, bias, y, rows, cols);
            case RELU -> biasRelu(x, bias, y, rows, cols);
            case SIGMOID -> biasSigmoid(x, bias, y, rows, cols);
            case TANH -> biasTanh(x, bias, y, rows, cols);
        }
    }

    // x (R,C), bias (C) or null -> y (R,C) = x + bias
    private static void biasIdentity(MemorySegment x, MemorySegment bias, MemorySegment y, int rows, int cols) {
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
                v.intoMemorySegment(y, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                y.set(FLOAT, at, biased(x, bias, at, j));
            }
        }
    }

    // x (R,C), bias (C) or null -> y (R,C) = max(x + bias, +0); NaN stays NaN
    private static void biasRelu(MemorySegment x, MemorySegment bias, MemorySegment y, int rows, int cols) {
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
                // v <= 0 (-0 included) becomes +0; NaN compares false, so it stays NaN
                v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoMemorySegment(y, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                float v = biased(x, bias, at, j);
                y.set(FLOAT, at, v <= 0f ? 0f : v);
            }
        }
    }

    // x (R,C), bias (C) or null -> y (R,C) = 1 / (1 + exp(-(x + bias))): exp(100) = inf gives 0, exp(-100) = 0 gives 1
    private static void biasSigmoid(MemorySegment x, MemorySegment bias, MemorySegment y, int rows, int cols) {
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
                VectorMath.sigmoid(v).intoMemorySegment(y, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                y.set(FLOAT, at, VectorMath.sigmoid(biased(x, bias, at, j)));
            }
        }
    }

    // x (R,C), bias (C) or null -> y (R,C) = tanh(x + bias)
    private static void biasTanh(MemorySegment x, MemorySegment bias, MemorySegment y, int rows, int cols) {
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
                VectorMath.tanh(v).intoMemorySegment(y, at, ORDER);
            }
            for (; j < cols; j++) {
                long at = row + (long) j * Float.BYTES;
                y.set(FLOAT, at, VectorMath.tanh(biased(x, bias, at, j)));
            }
        }
    }

    // x at byte offset at, plus bias[j] when there is a bias: one tail element
    private static float biased(MemorySegment x, MemorySegment bias, long at, int j) {
        float v = x.get(FLOAT, at);
        return bias == null ? v : v + bias.getAtIndex(FLOAT, j);
    }

    // act, x (N) for relu, y (N) for sigmoid/tanh, dy (N) -> dx (N); dx may alias dy.
    // The same operation order as the scalar reference.
    static void activationBackward(Activation act, MemorySegment x, MemorySegment y, MemorySegment dy,
                                   MemorySegment dx, long n) {
        switch (act) {
            case IDENTITY -> {
                if (dx != dy) {
                    MemorySegment.copy(dy, 0, dx, 0, n * Float.BYTES);
                }
            }
            case RELU -> reluBackward(x, dy, dx, n);
            case SIGMOID -> sigmoidBackward(y, dy, dx, n);
            case TANH -> tanhBackward(y, dy, dx, n);
        }
    }

    // x (N), dy (N) -> dx (N) = dy where x > 0, x where x is NaN, else 0
    private static void reluBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, ORDER);
            FloatVector a = FloatVector.fromMemorySegment(F, x, at, ORDER);
            // a == a is the not-NaN test: test(IS_NAN).not() is not intrinsified and ran as a boxed call
            FloatVector zeroOrNaN = a.blend(0f, a.compare(VectorOperators.EQ, a));
            zeroOrNaN.blend(g, a.compare(VectorOperators.GT, 0f)).intoMemorySegment(dx, at, ORDER);
        }
        for (; i < n; i++) {
            float a = x.getAtIndex(FLOAT, i);
            float g = dy.getAtIndex(FLOAT, i);
            dx.setAtIndex(FLOAT, i, a > 0f ? g : a == a ? 0f : a);
        }
    }

    // y = sigmoid(x) (N), dy (N) -> dx (N) = dy * (y * (1 - y))
    private static void sigmoidBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, ORDER);
            FloatVector s = FloatVector.fromMemorySegment(F, y, at, ORDER);
            g.mul(s.mul(s.neg().add(1f))).intoMemorySegment(dx, at, ORDER);
        }
        for (; i < n; i++) {
            float s = y.getAtIndex(FLOAT, i);
            dx.setAtIndex(FLOAT, i, dy.getAtIndex(FLOAT, i) * (s * (-s + 1f)));
        }
    }

    // y = tanh(x) (N), dy (N) -> dx (N) = dy * (1 - y^2)
    private static void tanhBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, ORDER);
            FloatVector t = FloatVector.fromMemorySegment(F, y, at, ORDER);
            g.mul(t.mul(t).neg().add(1f)).intoMemorySegment(dx, at, ORDER);
        }
        for (; i < n; i++) {
            float t = y.getAtIndex(FLOAT, i);
            dx.setAtIndex(FLOAT, i, dy.getAtIndex(FLOAT, i) * (-(t * t) + 1f));
        }
    }
}
