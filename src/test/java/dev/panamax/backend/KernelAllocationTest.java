package dev.panamax.backend;

import dev.panamax.optim.Adadelta;
import dev.panamax.optim.Adagrad;
import dev.panamax.optim.Adam;
import dev.panamax.optim.RMSprop;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel of every backend allocates nothing on the Java heap once the JIT has compiled it: a
 * training step calls each of them, and the project promises no garbage per step. A boxed vector
 * (a Vector API operation C2 did not intrinsify) costs 96 bytes, an Optional or a view 16-40, so the
 * bound of 1 byte per call (averaged over 2,000 calls, after 20,000 warm-up calls) leaves no room for
 * any object per call.
 *
 * <p>Deterministic, not timed: the JVM runs with {@code -Xbatch} (pom.xml), so a method the warm-up made
 * hot is compiled before the caller goes on, and the bytes are counted over the caller and the GEMM
 * pool's workers ({@code panamax-*} threads), which run parts of the larger products. Every GEMM path
 * of the simd backend has a shape here: packed panels, A read in place, transposed A and B, the narrow
 * dot products, short k, the swapped NT product and the split across two threads.
 */
class KernelAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 20_000;
    private static final int CALLS = 2_000;
    /** Rounds for a kernel whose first count is not zero: on-stack replacement can leave a loop's first compiled form in use. */
    private static final int ROUNDS = 3;

    /** The backends' worker threads ({@code panamax-*}), found once: listing threads allocates. */
    private static long[] workerIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("panamax-") && t != Thread.currentThread())
                .mapToLong(Thread::threadId).toArray();
    }

    /** Bytes allocated so far by the current thread and the given workers; allocates nothing itself. */
    private static long allocated(long[] workers) {
        long sum = THREADS.getCurrentThreadAllocatedBytes();
        for (long id : workers) {
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /** The bytes allocated per call once compiled (warm-up counts scale down for the larger GEMMs). */
    private static double bytesPerCall(Runnable kernel, int scale) {
        long[] workers = workerIds();
        double lowest = Double.POSITIVE_INFINITY;
        for (int round = 0; round < ROUNDS && lowest >= 1; round++) {
            for (int i = 0; i < WARMUP / scale; i++) {
                kernel.run();
            }
            long before = allocated(workers);
            for (int i = 0; i < CALLS / scale; i++) {
                kernel.run();
            }
            lowest = Math.min(lowest, (allocated(workers) - before) / (double) (CALLS / scale));
        }
        return lowest;
    }

    @Test
    void noKernelAllocatesPerCall() {
        List<String> offenders = new ArrayList<>();
        for (Backend backend : TestBackends.available(2)) {
            if (backend.name().equals("scalar")) {
                continue; // the reference favours obviousness; its allocation is not promised
            }
            try (Compute c = new Compute(backend); Arena a = Arena.ofShared()) {
                SplittableRandom r = new SplittableRandom(1);
                Tensor x = Tensor.allocate(a, 32, 100);
                Tensor w = Tensor.allocate(a, 10, 100);
                Tensor y = Tensor.allocate(a, 32, 10);
                Tensor bias = Tensor.allocate(a, 10);
                Tensor labels = Tensor.allocate(a, 32);
                Tensor probs = Tensor.allocate(a, 32, 10);
                Tensor dl = Tensor.allocate(a, 32, 10);
                Tensor p = Tensor.allocate(a, 1000);
                Tensor g = Tensor.allocate(a, 1000);
                Tensor s1 = Tensor.allocate(a, 1000);
                Tensor s2 = Tensor.allocate(a, 1000);
                Tensor s3 = Tensor.allocate(a, 1000);
                Tensor xtY = Tensor.allocate(a, 10, 100);
                Tensor wide = Tensor.allocate(a, 64, 100); // NT with L < m < n: the swapped product
                Tensor yWide = Tensor.allocate(a, 32, 64);
                Tensor wNN = Tensor.allocate(a, 100, 64); // NN: A read in place
                Tensor xDot = Tensor.allocate(a, 32, 128); // k a multiple of every vector length: dot products
                Tensor wDot = Tensor.allocate(a, 6, 128); // 6 columns: under one tile at every width
                Tensor yDot = Tensor.allocate(a, 32, 6);
                Tensor aShort = Tensor.allocate(a, 32, 10); // k = 10, the 10-class layer's: short-k product
                Tensor bShort = Tensor.allocate(a, 10, 64);
                Tensor aBig = Tensor.allocate(a, 128, 256); // 8.4 M multiply-adds: split over both threads
                Tensor bBig = Tensor.allocate(a, 256, 256);
                Tensor cBig = Tensor.allocate(a, 128, 256);
                Tensor aAliased = Tensor.allocate(a, 24, 1024); // rows 4 KB apart: packed, not read in place
                Tensor bAliased = Tensor.allocate(a, 1024, 64);
                Tensor cAliased = Tensor.allocate(a, 24, 64);
                Tensor tall = Tensor.allocate(a, 32, 128); // y^T tall: C of 10 rows, 128 columns: the 5-row tiles
                Tensor yTall = Tensor.allocate(a, 10, 128);
                Tensor cTT = Tensor.allocate(a, 100, 32);
                Tensor mean = Tensor.allocate(a, 1);
                Tensor count = Tensor.allocate(a, 1);
                for (Tensor t : new Tensor[] {x, w, y, bias, p, g, wide, wNN, xDot, wDot, aShort, bShort, aBig, bBig, aAliased,
                        bAliased, tall}) {
                    for (long i = 0; i < t.size(); i++) {
                        t.set(i, (float) r.nextDouble());
                    }
                }
                for (int i = 0; i < 32; i++) {
                    labels.set(i, i % 10);
                }
                List<Kernel> kernels = new ArrayList<>(List.of(
                        new Kernel("gemm NT", () -> c.gemm(false, true, 1f, x, w, 0f, y)),
                        new Kernel("gemm TN", () -> c.gemm(true, false, 1f, y, x, 0f, xtY)),
                        new Kernel("gemm TN 10 rows", () -> c.gemm(true, false, 1f, y, tall, 0f, yTall)),
                        new Kernel("gemm NT swapped", () -> c.gemm(false, true, 1f, x, wide, 0f, yWide)),
                        new Kernel("gemm NN", () -> c.gemm(false, false, 1f, x, wNN, 0f, yWide)),
                        new Kernel("gemm TT", () -> c.gemm(true, true, 1f, xtY, y, 0f, cTT)),
                        new Kernel("gemm NT dot products", () -> c.gemm(false, true, 1f, xDot, wDot, 0f, yDot)),
                        new Kernel("gemm NN short k", () -> c.gemm(false, false, 1f, aShort, bShort, 0.5f, yWide)),
                        new Kernel("gemm NN two threads", () -> c.gemm(false, false, 1f, aBig, bBig, 0f, cBig), 20),
                        new Kernel("gemm NN A packed (aliased rows)", () -> c.gemm(false, false, 1f, aAliased, bAliased,
                                1f, cAliased), 5),
                        new Kernel("copy", () -> c.copy(g, s2)),
                        new Kernel("fill", () -> c.fill(s3, 0.5f)),
                        new Kernel("countCorrect", () -> c.countCorrect(y, labels, count)),
                        new Kernel("softmaxCrossEntropyMean", () -> c.softmaxCrossEntropyMean(y, labels, probs, dl, 1f / 32, mean)),
                        new Kernel("columnSums", () -> c.columnSums(y, 0f, bias)),
                        new Kernel("axpy", () -> c.axpy(0.5f, g, s1)),
                        new Kernel("scale", () -> c.scale(0.999f, s1)),
                        new Kernel("softmaxRows", () -> c.softmaxRows(y, probs)),
                        new Kernel("logSoftmaxRows", () -> c.logSoftmaxRows(y, probs)),
                        new Kernel("softmaxCrossEntropy", () -> c.softmaxCrossEntropy(y, labels, probs, dl, 1f / 32)),
                        update(c, SGD.UPDATE, new Tensor[] {p, g, s1}, 0.01f, 0.9f, 1f, 1f, 0f, -1e-9f),
                        update(c, Adagrad.UPDATE, new Tensor[] {p, g, s1}, 0f, -1e-9f, 1e-10f),
                        update(c, Adadelta.UPDATE, new Tensor[] {p, g, s1, s2}, 0f, 0.9f, 0.1f, 1e-6f, -1e-9f),
                        update(c, RMSprop.UPDATE, new Tensor[] {p, g, s1, s2, s3}, 0f, 0.99f, 0.01f, 1e-8f, 0.9f, -1e-9f),
                        update(c, Adam.UPDATE, new Tensor[] {p, g, s1, s2, s3}, 1f, 0f, 0.9f, 0.1f, 0.999f, 0.001f,
                                -1e-9f, 0.5f, 1e-8f)));
                for (Activation act : Activation.values()) {
                    kernels.add(new Kernel("biasActivation " + act, () -> c.biasActivation(y, bias, act, probs)));
                    kernels.add(new Kernel("activationBackward " + act, () -> c.activationBackward(act, y, probs, y, dl)));
                }
                // the BLAS-style API on native segments at offset 0: checks included, nothing allocated
                FloatBlas blas = new FloatBlas(backend);
                kernels.add(new Kernel("FloatBlas sgemm row-major NT", () -> blas.sgemm(MatrixOrder.ROW_MAJOR,
                        Transpose.NO_TRANSPOSE, Transpose.TRANSPOSE, 32, 10, 100, 1f, x.segment(), 0, 100, w.segment(), 0,
                        100, 0f, y.segment(), 0, 10)));
                kernels.add(new Kernel("FloatBlas sgemm column-major", () -> blas.sgemm(MatrixOrder.COLUMN_MAJOR,
                        Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, 32, 10, 100, 1f, x.segment(), 0, 32,
                        w.segment(), 0, 100, 0f, y.segment(), 0, 32)));
                kernels.add(new Kernel("FloatBlas sgemv", () -> blas.sgemv(MatrixOrder.ROW_MAJOR, Transpose.NO_TRANSPOSE,
                        32, 100, 1f, x.segment(), 0, 100, p.segment(), 0, 1, 0f, s1.segment(), 0, 1)));
                kernels.add(new Kernel("FloatBlas sdot", () -> blas.sdot(1000, p.segment(), 0, 1, g.segment(), 0, 1)));
                kernels.add(new Kernel("FloatBlas saxpy", () -> blas.saxpy(1000, 0.5f, g.segment(), 0, 1, s1.segment(),
                        0, 1)));
                for (Kernel k : kernels) {
                    double bytes = bytesPerCall(k.body(), k.scale());
                    if (bytes >= 1) {
                        offenders.add(backend.name() + " " + k.name() + ": " + bytes + " B/call");
                    }
                }
            }
        }
        assertTrue(offenders.isEmpty(), "kernels that allocate per call: " + offenders);
    }

    private record Kernel(String name, Runnable body, int scale) {
        Kernel(String name, Runnable body) {
            this(name, body, 1);
        }
    }

    /** An optimizer update as a step calls it: the kernel resolved once, the same operand arrays every call. */
    private static Kernel update(Compute c, UpdateRule rule, Tensor[] operands, float... scalars) {
        UpdateKernel kernel = c.updateKernel(rule);
        return new Kernel(rule.name(), () -> kernel.apply(operands, scalars));
    }

}
