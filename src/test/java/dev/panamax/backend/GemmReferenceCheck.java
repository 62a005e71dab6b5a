package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One GEMM on a backend against the scalar reference, within the float error bound of a k-term sum: the check
 * that {@link GemmEquivalenceTest} runs over fixed shapes and the simd package's block-edge test over shapes
 * derived from this machine's blocking.
 */
public final class GemmReferenceCheck {
    /**
     * Float unit roundoff u = 2^-24. A float sum of k products (with or without FMA, in any blocking
     * order) is within gamma_k ~ k u of the exact dot product, relative to sum_p |a_ip||b_pj|; scaling by
     * alpha and adding beta * c cost two more roundings. The reference (double accumulation) is exact to
     * this precision. Bound: |diff| <= (k + 2) * 2u * (|alpha| sum_p |a_ip||b_pj| + |beta c_ij|), a
     * factor 2 of slack over the worst case.
     */
    private static final double EPS_F32 = Math.ulp(1f); // 2u = 2^-23

    private static final Compute REFERENCE = new Compute(new ScalarBackend());

    private GemmReferenceCheck() {
    }

    /**
     * C = alpha op(A) op(B) + beta C on {@code backend} with random A, B and C drawn from {@code seed}, against
     * the scalar reference; beta = 0 runs over a C full of NaN, which must not leak into the result. C is
     * allocated to its exact size, so a write past its last element fails rather than going unseen.
     */
    public static void check(Backend backend, int m, int n, int k, boolean transA, boolean transB,
                             float alpha, float beta, long seed) {
        // shared arena: multi-threaded backends may use their workers (a confined one keeps them on the caller)
        try (Arena arena = Arena.ofShared()) {
            Random random = new Random(seed);
            Tensor a = transA ? Tensor.allocate(arena, k, m) : Tensor.allocate(arena, m, k);
            Tensor b = transB ? Tensor.allocate(arena, n, k) : Tensor.allocate(arena, k, n);
            fillUniform(a, random);
            fillUniform(b, random);
            Tensor c0 = Tensor.allocate(arena, m, n);
            if (beta == 0f) {
                c0.fill(Float.NaN); // must be ignored
            } else {
                fillUniform(c0, random);
            }
            Tensor expected = Tensor.allocate(arena, m, n).copyFrom(c0);
            Tensor actual = Tensor.allocate(arena, m, n).copyFrom(c0);
            REFERENCE.gemm(transA, transB, alpha, a, b, beta, expected);
            new Compute(backend).gemm(transA, transB, alpha, a, b, beta, actual);

            // sum_p |a_ip||b_pj| for the bound, by the reference on absolute values
            Tensor absA = abs(arena, a);
            Tensor absB = abs(arena, b);
            Tensor magnitude = Tensor.allocate(arena, m, n);
            REFERENCE.gemm(transA, transB, 1f, absA, absB, 0f, magnitude);

            for (long i = 0; i < (long) m * n; i++) {
                float e = expected.get(i);
                float got = actual.get(i);
                double betaTerm = beta == 0f ? 0 : Math.abs((double) beta * c0.get(i));
                double bound = (k + 2) * EPS_F32 * (Math.abs(alpha) * magnitude.get(i) + betaTerm);
                if (!(Math.abs((double) got - e) <= bound)) {
                    fail(backend.name() + ": C[" + i / n + "," + i % n + "] = " + got + ", reference " + e
                            + ", allowed difference " + bound);
                }
            }
        }
    }

    /** Uniform in [-1, 1). */
    public static void fillUniform(Tensor t, Random random) {
        for (long i = 0; i < t.size(); i++) {
            t.set(i, random.nextFloat() * 2f - 1f);
        }
    }

    private static Tensor abs(Arena arena, Tensor t) {
        Tensor out = Tensor.allocate(arena, t.shape());
        for (long i = 0; i < t.size(); i++) {
            out.set(i, Math.abs(t.get(i)));
        }
        return out;
    }
}
