package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * VectorMath must (1) give exactly the bits of a plain scalar evaluation of the same formula (which
 * proves it uses only exactly-rounded operations, so compiled and fallback code agree: exact resume
 * depends on it) and (2) be accurate: within 2 ulp of the double-precision function for exp and
 * sigmoid over their whole normal range, and 3 ulp for tanh (the 1 - 2/(e^2x + 1) branch adds one
 * rounding of the division and one of the subtraction to exp's error).
 */
class VectorMathTest {
    private static final int L = VectorMath.F.length();

    private static float[] inputs() {
        SplittableRandom rng = new SplittableRandom(99);
        float[] xs = new float[L * 4000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (i % 3 == 0 ? rng.nextDouble(-110, 95) : rng.nextDouble(-12, 12));
        }
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 88.7f, 88.73f, -87.4f, -103.9f, -104f, 9.09f, 9.11f, 0.6249f,
                0.625f, -0.625f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f};
        System.arraycopy(special, 0, xs, 0, special.length);
        return xs;
    }

    private static float[] apply(java.util.function.UnaryOperator<FloatVector> f, float[] xs) {
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i += L) {
            f.apply(FloatVector.fromArray(VectorMath.F, xs, i)).intoArray(out, i);
        }
        return out;
    }

    private static double ulpsOff(double exact, float got) {
        if (Double.isNaN(exact)) {
            return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        float rounded = (float) exact;
        if (rounded == got) {
            return 0;
        }
        return Math.abs(exact - got) / Math.ulp(rounded == 0f ? Float.MIN_NORMAL : rounded);
    }

    @Test
    void expIsItsScalarTwinBitForBitAndWithinTwoUlp() {
        float[] xs = inputs();
        float[] got = apply(VectorMath::exp, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToRawIntBits(VectorMath.exp(xs[i])), Float.floatToRawIntBits(got[i]), "exp(" + xs[i] + ")");
            if (xs[i] > -87f) { // normal results: relative accuracy
                assertTrue(ulpsOff(Math.exp(xs[i]), got[i]) <= 2, "exp(" + xs[i] + ") = " + got[i]);
            } else {
                assertEquals(Math.exp(xs[i]), got[i], 2 * Float.MIN_VALUE, "exp(" + xs[i] + ") underflow");
            }
        }
    }

    @Test
    void tanhIsItsScalarTwinBitForBitAndWithinThreeUlp() {
        float[] xs = inputs();
        float[] got = apply(VectorMath::tanh, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToRawIntBits(VectorMath.tanh(xs[i])), Float.floatToRawIntBits(got[i]), "tanh(" + xs[i] + ")");
            assertTrue(ulpsOff(Math.tanh(xs[i]), got[i]) <= 3, "tanh(" + xs[i] + ") = " + got[i]);
        }
    }

    @Test
    void sigmoidIsItsScalarTwinBitForBitWithinTwoUlpAndSaturatesWithoutNaN() {
        float[] xs = inputs();
        float[] got = apply(VectorMath::sigmoid, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToRawIntBits(VectorMath.sigmoid(xs[i])), Float.floatToRawIntBits(got[i]),
                    "sigmoid(" + xs[i] + ")");
            double exact = 1.0 / (1.0 + Math.exp(-(double) xs[i]));
            if (exact > 1e-37) {
                assertTrue(ulpsOff(exact, got[i]) <= 2, "sigmoid(" + xs[i] + ") = " + got[i]);
            } else {
                assertEquals(exact, got[i], 1e-37, "sigmoid(" + xs[i] + ")");
            }
        }
    }

    @Test
    void sumInOrderAddsInLaneOrder() {
        float[] v = new float[L];
        v[0] = 1e8f;
        v[1] = 1f;
        v[2] = -1e8f;
        v[3] = 1f;
        float expected = 0f;
        for (float x : v) {
            expected += x;
        }
        assertEquals(expected, VectorMath.sumInOrder(v));
    }
}
