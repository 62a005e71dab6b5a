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
 * transposes or leading dimensions differently, a native library built for another CPU.
 *
 * <p>The GEMM is {@code C = 0.5 A B^T + 0.5 C} with A 10 x 9, B stored 37 x 9 (wide enough for the
 * packed micro-kernel paths, not only the small-shape ones): every row of A and of B differs from its
 * neighbours, so a kernel that reads a wrong row, column, leading dimension or panel gives other values.
 *
 * <p>Tolerance zero, by construction: every operand is a multiple of 1/2 from -2.5 to 2.5, so every
 * product, every partial sum of 9 and every scaled result is a multiple of 1/8 below 2^6, exact in float
 * (and its inputs exact in TF32) whatever the order of the sums and whether they are fused. Any correct
 * backend gives these values; one that differs anywhere is wrong, not imprecise.
 */
public final class BackendSelfCheck {
    private static final int M = 10;
    private static final int N = 37;
    private static final int K = 9;
    private static final float ALPHA = 0.5f;
    private static final float BETA = 0.5f;
    /** The elementwise kernel checked: bias + ReLU on ROWS x COLS. */
    private static final int ROWS = 3;
    private static final int COLS = 5;
    /** Operands: ((i * 7 + seed) mod PERIOD - 5) / 2; PERIOD shares no factor with K, so rows differ. */
    private static final int PERIOD = 11;

    private BackendSelfCheck() {
    }

    /**
     * Runs the check on {@code backend} with host tensors (which every backend takes).
     *
     * @param backend the backend to check; left open
     * @throws BackendUnavailableException if a result differs from the scalar reference (naming the kernel,
     *         the element and both values) or a call fails (naming the kernel and the failure)
     */
    public static void verify(Backend backend) {
        String stage = "gemm (0.5 A B^T + 0.5 C, " + M + "x" + N + "x" + K + ")";
        try (Arena arena = Arena.ofConfined(); ScalarBackend reference = new ScalarBackend()) {
            Tensor a = operand(arena, 1, M, K);
            Tensor b = operand(arena, 2, N, K);
            Tensor c = operand(arena, 3, M, N);
            Tensor expected = operand(arena, 3, M, N);
            reference.gemm(false, true, M, N, K, ALPHA, a, b, BETA, expected);
            backend.gemm(false, true, M, N, K, ALPHA, a, b, BETA, c);
            backend.synchronize();
            compare(stage, c, expected, N);

            stage = "bias + relu (" + ROWS + "x" + COLS + ")";
            Tensor x = operand(arena, 4, ROWS, COLS);
            Tensor bias = operand(arena, 5, COLS);
            Tensor y = Tensor.allocate(arena, ROWS, COLS);
            Tensor yExpected = Tensor.allocate(arena, ROWS, COLS);
            reference.biasActivation(x, bias, Activation.RELU, yExpected);
            backend.biasActivation(x, bias, Activation.RELU, y);
            backend.synchronize();
            compare(stage, y, yExpected, COLS);
        } catch (BackendUnavailableException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("self-check failed: " + stage + " threw " + e, e);
        }
    }

    // halves from -2.5 to 2.5 (see PERIOD): exact in float, and so are the sums of K products
    private static Tensor operand(Arena arena, int seed, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) ((i * 7 + seed) % PERIOD - 5) / 2f);
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
