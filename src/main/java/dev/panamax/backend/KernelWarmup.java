package dev.panamax.backend;

import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;

/**
 * Runs every kernel of a backend on small shapes before real work, so that the JIT compiles them while
 * a call is cheap. Until C2 has compiled a Vector API kernel, each of its vector operations is an
 * object: a first training epoch at the real shapes then runs tens of times slower than the next. On
 * small shapes the same uncompiled calls cost microseconds, and the compiled code is the same one the
 * large shapes run (the kernels do not specialise on sizes).
 *
 * <p>The GEMM shapes cover each path of the simd backend at every vector width (packed panels, narrow
 * C, dot products of stored rows, short k, the swapped NT product, every transpose combination), the
 * elementwise shapes every activation and loss kernel. Optimizer updates are not here: their kernels are
 * the optimizer's ({@link UpdateRule}), and a training warm-up steps the optimizer it will use. Tensors live in a shared arena of
 * their own, freed at the end.
 */
public final class KernelWarmup {
    /**
     * Calls per kernel: past HotSpot's default C2 thresholds (Tier4InvocationThreshold 5,000, and
     * Tier4CompileThreshold 15,000 invocations plus loop iterations), so every kernel is queued for C2.
     */
    public static final int DEFAULT_CALLS = 6_000;

    private static final int[][] GEMM_SHAPES = {
            // m, n, k, transA (0/1), transB (0/1)
            {48, 40, 32, 0, 0}, {48, 10, 32, 0, 0}, {32, 64, 4, 0, 0},
            {48, 40, 32, 0, 1}, {32, 10, 64, 0, 1}, {32, 6, 64, 0, 1}, {32, 64, 64, 0, 1},
            {48, 40, 32, 1, 0}, {10, 64, 32, 1, 0},
            {24, 24, 24, 1, 1},
    };

    private KernelWarmup() {
    }

    /**
     * Runs each kernel {@code calls} times, then waits until the JIT is idle; returns the seconds it took.
     *
     * @param backend the backend to warm up; not closed
     * @param calls   calls per kernel, e.g. {@link #DEFAULT_CALLS}
     * @return the wall-clock seconds, calls and wait together
     * @throws IllegalArgumentException if {@code calls} is negative
     */
    public static double run(Backend backend, int calls) {
        return run(backend, calls, true);
    }

    /**
     * As {@link #run(Backend, int)}; {@code awaitCompiler} false returns as soon as the calls are done.
     *
     * @param backend       the backend to warm up; not closed
     * @param calls         calls per kernel
     * @param awaitCompiler whether to wait for the JIT afterwards ({@link #awaitQuietCompiler()})
     * @return the wall-clock seconds it took
     * @throws IllegalArgumentException if {@code calls} is negative
     */
    public static double run(Backend backend, int calls, boolean awaitCompiler) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls must be >= 0, got " + calls);
        }
        long start = System.nanoTime();
        try (Arena arena = Arena.ofShared()) {
            Compute compute = new Compute(backend); // not closed: the caller owns the backend
            for (int[] s : GEMM_SHAPES) {
                boolean ta = s[3] == 1;
                boolean tb = s[4] == 1;
                Tensor a = filled(compute, arena, ta ? new int[] {s[2], s[0]} : new int[] {s[0], s[2]});
                Tensor b = filled(compute, arena, tb ? new int[] {s[1], s[2]} : new int[] {s[2], s[1]});
                Tensor c = compute.allocate(arena, s[0], s[1]);
                for (int i = 0; i < calls; i++) {
                    compute.gemm(ta, tb, 1f, a, b, i % 2 == 0 ? 0f : 0.5f, c);
                }
            }
            int rows = 16;
            int cols = 40;
            Tensor x = filled(compute, arena, rows, cols);
            Tensor y = compute.allocate(arena, rows, cols);
            Tensor dy = filled(compute, arena, rows, cols);
            Tensor dx = compute.allocate(arena, rows, cols);
            Tensor bias = filled(compute, arena, cols);
            Tensor sums = compute.allocate(arena, cols);
            Tensor labels = compute.allocate(arena, rows);
            Tensor mean = compute.allocate(arena, 1);
            Tensor count = compute.allocate(arena, 1);
            Tensor logits = filled(compute, arena, rows, 10);
            Tensor probs = compute.allocate(arena, rows, 10);
            Tensor dlogits = compute.allocate(arena, rows, 10);
            Tensor g = filled(compute, arena, 200);
            Tensor s1 = compute.allocate(arena, 200);
            Tensor s2 = compute.allocate(arena, 200);
            compute.fill(labels, 3f);
            for (int i = 0; i < calls; i++) {
                for (Activation act : Activation.values()) {
                    compute.biasActivation(x, bias, act, y);
                    compute.activationBackward(act, x, y, dy, dx);
                }
                compute.columnSums(dy, 0f, sums);
                compute.softmaxRows(logits, probs);
                compute.logSoftmaxRows(logits, probs);
                compute.softmaxCrossEntropy(logits, labels, probs, dlogits, 1f / rows);
                compute.softmaxCrossEntropyMean(logits, labels, probs, dlogits, 1f / rows, mean);
                compute.countCorrect(logits, labels, count);
                compute.axpy(1e-3f, g, s1);
                compute.scale(0.5f, s1);
                compute.copy(g, s2);
            }
            compute.synchronize();
        }
        if (awaitCompiler) {
            awaitQuietCompiler();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** How long the JIT must have compiled nothing before the warm-up counts it done, and the most it waits. */
    private static final long QUIET_MS = 150;
    private static final long MAX_WAIT_MS = 15_000;

    /**
     * Waits until the JIT has been idle for {@link #QUIET_MS} (its total compilation time stops growing),
     * at most {@link #MAX_WAIT_MS}: the calls above only queue the kernels for C2, which compiles them in
     * the background, and work started before it is done still runs the uncompiled code. Returns at once
     * where the JVM does not report compilation time.
     */
    public static void awaitQuietCompiler() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + MAX_WAIT_MS * 1_000_000;
        long last = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= QUIET_MS * 1_000_000) {
                return;
            }
        }
    }

    private static Tensor filled(Compute compute, Arena arena, int... shape) {
        Tensor t = compute.allocate(arena, shape);
        compute.fill(t, 0.25f);
        return t;
    }
}
