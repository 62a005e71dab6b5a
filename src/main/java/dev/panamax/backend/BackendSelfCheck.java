package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.Locale;

/**
 * A check, in milliseconds, that a backend computes what the scalar reference computes: one GEMM and
 * one elementwise kernel on small operands. Automatic selection ({@link Backends#best(int)}) runs it on
 * the backend it is about to return and moves on to the next one when it fails, so that a backend is
 * never picked on faith: a GPU whose driver JIT-compiles the kernels wrongly, a cuBLAS that maps the
 * transposes differently, a native library built for another CPU.
 *
 * <p>Tolerance zero, by construction: every operand is a small integer or half-integer, so every
 * product and every partial sum is a multiple of 1/4 below 2^10, exact in float (and in TF32) whatever
 * the order of the sums and whether they are fused. Any correct backend gives these values; one that
 * differs anywhere is wrong, not imprecise.
 */
public final class BackendSelfCheck {
    /** The GEMM checked: C (M x N) = A (M x K) times B^T, B stored N x K, plus BETA times C's old value. */
    private static final int M = 7;
    private static final int N = 5;
    private static final int K = 9;
    private static final float BETA = 0.5f;
    /** The elementwise kernel checked: bias + ReLU on ROWS x COLS. */
    private static final int ROWS = 3;
    private static final int COLS = 5;

    private BackendSelfCheck() {
    }

    /**
     * Runs the check on {@code backend} with host tensors (which every backend takes).
     *
     * @param backend the backend to check; left open
     * @throws BackendUnavailableException if a result differs from the scalar reference (naming the kernel,
     *         the element and both values) or a call fails (with its message)
     */
    public static void verify(Backend backend) {
        try (Arena arena = Arena.ofConfined()) {
            ScalarBackend reference = new ScalarBackend();
            Tensor a = integers(arena, 1, M, K);
            Tensor b = integers(arena, 2, N, K);
            Tensor c = integers(arena, 3, M, N);
            Tensor expected = integers(arena, 3, M, N);
            reference.gemm(false, true, M, N, K, 1f, a, b, BETA, expected);
            backend.gemm(false, true, M, N, K, 1f, a, b, BETA, c);
            backend.synchronize();
            compare("gemm (A times B^T, " + M + "x" + N + "x" + K + ", beta " + BETA + ")", c, expected, N);

            Tensor x = integers(arena, 4, ROWS, COLS);
            Tensor bias = integers(arena, 5, COLS);
            Tensor y = Tensor.allocate(arena, ROWS, COLS);
            Tensor yExpected = Tensor.allocate(arena, ROWS, COLS);
            reference.biasActivation(x, bias, Activation.RELU, yExpected);
            backend.biasActivation(x, bias, Activation.RELU, y);
            backend.synchronize();
            compare("bias + relu (" + ROWS + "x" + COLS + ")", y, yExpected, COLS);
        } catch (BackendUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendUnavailableException("self-check failed: " + e, e);
        }
    }

    // halves from -2 to 2, a different sequence per seed: exact in float, sums of K products exact too
    private static Tensor integers(Arena arena, int seed, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) (((i * 7 + seed * 3) % 9) - 4) / 2f);
        }
        return t;
    }

    private static void compare(String kernel, Tensor got, Tensor expected, int cols) {
        for (long i = 0; i < expected.size(); i++) {
            float g = got.get(i);
            float e = expected.get(i);
            if (!(g == e)) { // NaN fails too; 0 and -0 are the same value
                throw new BackendUnavailableException(String.format(Locale.ROOT,
                        "self-check failed: %s gives %s at [%d][%d], the scalar reference %s (exact operands, so any"
                                + " difference is an error)", kernel, g, i / cols, i % cols, e));
            }
        }
    }
}
