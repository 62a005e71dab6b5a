package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and tanh built only from IEEE operations that round exactly (add, mul, fma, div, compare,
 * bit casts), so they give the same bits whether the JIT has compiled the vector code or the Vector
 * API's Java fallback runs it. The lanewise EXP/TANH operators do not: compiled, they call SVML; before
 * compilation, the fallback calls Math.exp per lane, and the two differ in the last bit. A training run
 * resumed from a checkpoint starts cold while the uninterrupted run is compiled, so exact resume needs
 * functions whose result does not depend on the JIT.
 *
 * <p>exp: Cody-Waite range reduction {@code x = n ln2 + r}, |r| <= ln2/2, with ln2 split in two so
 * that {@code n * LN2_HI} is exact; a degree-6 polynomial for e^r (Cephes expf coefficients, max
 * error about 1 ulp); the scale 2^n applied in two halves so results down to the subnormal range
 * and up to FLT_MAX come out without overflow in an intermediate. Below -103.98 the result is 0, above
 * 88.72 it is +inf, NaN stays NaN.
 *
 * <p>tanh: an odd polynomial for |x| < 0.625 (Cephes tanhf), where {@code 1 - 2/(e^2x + 1)} would
 * cancel; that formula elsewhere, with the sign restored; +-1 beyond |x| = 9.1 where float tanh
 * rounds to 1.
 */
final class VectorMath {
    static final VectorSpecies<Float> F = SimdHardware.SPECIES;

    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so n * LN2_HI is exact for |n| < 2^15. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to the nearest integer. */
    static final float ROUND_MAGIC = 12582912f;
    static final float EXP_HI = 88.72283935546875f;
    static final float EXP_LO = -103.97207708f;
    static final float[] EXP_POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
            1.6666665459e-1f, 5.0000001201e-1f};
    static final float TANH_SMALL = 0.625f;
    static final float TANH_SATURATE = 9.1f;
    static final float[] TANH_POLY = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f, 1.33314422036e-1f,
            -3.33332819422e-1f};

    private VectorMath() {
    }

    /** e^x per lane (see the class comment for range and accuracy). */
    static FloatVector exp(FloatVector x) {
        FloatVector n = x.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, EXP_POLY[0]);
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = p.fma(r, FloatVector.broadcast(F, EXP_POLY[i]));
        }
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        // clamp n so that both halves of 2^n stay normal floats; out-of-range x are fixed up below
        IntVector ni = (IntVector) n.max(-150f).min(128f).convert(VectorOperators.F2I, 0);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = pow2(half);
        FloatVector s2 = pow2(ni.sub(half));
        FloatVector result = er.mul(s1).mul(s2);
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return result.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
    }

    // 2^k for integer lanes k in [-126, 127], built from the exponent bits
    private static FloatVector pow2(IntVector k) {
        return k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** tanh(x) per lane, within ~2 ulp (see the class comment). */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        // large: 1 - 2 / (e^(2|x|) + 1), sign restored
        FloatVector big = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(exp(ax.add(ax)).add(1f)));
        big = big.blend(1f, ax.compare(VectorOperators.GT, TANH_SATURATE));
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        big = big.blend(big.neg(), negative);
        // small: x + x z P(z), z = x^2
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(F, TANH_POLY[0]);
        for (int i = 1; i < TANH_POLY.length; i++) {
            p = p.fma(z, FloatVector.broadcast(F, TANH_POLY[i]));
        }
        FloatVector small = p.mul(z).fma(x, x);
        // NaN fails both comparisons and takes the "small" path, which propagates it
        return small.blend(big, ax.compare(VectorOperators.GE, TANH_SMALL));
    }

    /** 1 / (1 + e^-x) per lane. */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(F, 1f).div(exp(x.neg()).add(1f));
    }

    /**
     * lanes[0] + lanes[1] + ... + lanes[L-1], left to right, L = {@link #F}.length(): a vector's lanes
     * (stored with intoArray) summed in lane order with scalar float additions. Unlike
     * reduceLanes(ADD), whose association order differs between compiled and fallback code, this gives
     * one answer; and unlike lane(i) with a variable i, a store keeps the vector unboxed.
     */
    static float sumInOrder(float[] lanes) {
        float s = 0f;
        for (int i = 0; i < F.length(); i++) {
            s += lanes[i];
        }
        return s;
    }

    // ---- scalar twins: the vector functions' operations in the same order on one float, so that a
    // row's scalar tail gets exactly the bits its lanes would have got in a vector (VectorMathTest
    // checks twin == vector bit for bit). Scalar tails avoid masked vectors, which box when C2 does not
    // inline the helper that takes them.

    /** The scalar twin of {@link #exp(FloatVector)}. */
    static float exp(float x) {
        float n = x * LOG2E + ROUND_MAGIC - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = Math.fma(p, r, EXP_POLY[i]);
        }
        float er = p * (r * r) + r + 1f;
        int ni = (int) Math.min(Math.max(n, -150f), 128f);
        int half = ni >> 1;
        float result = er * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
        if (x > EXP_HI) {
            result = Float.POSITIVE_INFINITY;
        }
        if (x < EXP_LO) {
            result = 0f;
        }
        return result;
    }

    /** The scalar twin of {@link #tanh(FloatVector)}. */
    static float tanh(float x) {
        float ax = Math.abs(x);
        float big = 1f - 2f / (exp(ax + ax) + 1f);
        if (ax > TANH_SATURATE) {
            big = 1f;
        }
        if (x < 0f) {
            big = -big;
        }
        float z = x * x;
        float p = TANH_POLY[0];
        for (int i = 1; i < TANH_POLY.length; i++) {
            p = Math.fma(p, z, TANH_POLY[i]);
        }
        float small = Math.fma(p * z, x, x);
        return ax >= TANH_SMALL ? big : small;
    }

    /** The scalar twin of {@link #sigmoid(FloatVector)}. */
    static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }
}
