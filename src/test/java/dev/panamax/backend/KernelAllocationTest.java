package dev.panamax.backend;

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
 * bound of 1 byte per call (averaged over 2,000 calls, after 20,000 warm-up calls; up to 5 rounds while
 * the JIT catches up) leaves no room for any object per call.
 */
class KernelAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 20_000;
    private static final int CALLS = 2_000;
    private static final int ROUNDS = 5;
    private static final long PAUSE_MS = 200;

    /**
     * The bytes allocated per call once compiled. C2 compiles in the background, and on a busy machine
     * a kernel may still run interpreted or C1 code (which boxes every vector) after the warm-up; so a
     * kernel that allocates gets more rounds, with a pause that leaves the compiler threads a core, and
     * its lowest figure counts. Compiled code that allocates does so in every round.
     */
    private static double bytesPerCall(Runnable kernel) throws InterruptedException {
        long tid = Thread.currentThread().threadId();
        double lowest = Double.POSITIVE_INFINITY;
        for (int round = 0; round < ROUNDS && lowest >= 1; round++) {
            if (round > 0) {
                Thread.sleep(PAUSE_MS);
            }
            for (int i = 0; i < WARMUP; i++) {
                kernel.run();
            }
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int i = 0; i < CALLS; i++) {
                kernel.run();
            }
            lowest = Math.min(lowest, (THREADS.getThreadAllocatedBytes(tid) - before) / (double) CALLS);
        }
        return lowest;
    }

    @Test
    void noKernelAllocatesPerCall() throws InterruptedException {
        List<String> offenders = new ArrayList<>();
        for (Backend backend : Backends.allAvailable(2)) {
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
                Tensor mean = Tensor.allocate(a, 1);
                Tensor count = Tensor.allocate(a, 1);
                for (Tensor t : new Tensor[] {x, w, y, bias, p, g, wide, wNN}) {
                    for (long i = 0; i < t.size(); i++) {
                        t.set(i, (float) r.nextDouble());
                    }
                }
                for (int i = 0; i < 32; i++) {
                    labels.set(i, i % 10);
                }
                record Kernel(String name, Runnable body) {
                }
                List<Kernel> kernels = new ArrayList<>(List.of(
                        new Kernel("gemm NT", () -> c.gemm(false, true, 1f, x, w, 0f, y)),
                        new Kernel("gemm TN", () -> c.gemm(true, false, 1f, y, x, 0f, xtY)),
                        new Kernel("gemm NT swapped", () -> c.gemm(false, true, 1f, x, wide, 0f, yWide)),
                        new Kernel("gemm NN", () -> c.gemm(false, false, 1f, x, wNN, 0f, yWide)),
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
                        new Kernel("sgdStep", () -> c.sgdStep(p, g, s1, 0.01f, 0.9f, 1f, true, false, -1e-9f)),
                        new Kernel("adagradStep", () -> c.adagradStep(p, g, s1, 0f, -1e-9f, 1e-10f)),
                        new Kernel("adadeltaStep", () -> c.adadeltaStep(p, g, s1, s2, 0f, 0.9f, 0.1f, 1e-6f, -1e-9f)),
                        new Kernel("rmspropStep", () -> c.rmspropStep(p, g, s1, s2, s3, 0f, 0.99f, 0.01f, 1e-8f, 0.9f, -1e-9f)),
                        new Kernel("adamStep", () -> c.adamStep(p, g, s1, s2, s3, 1f, 0f, 0.9f, 0.1f, 0.999f, 0.001f,
                                -1e-9f, 0.5f, 1e-8f))));
                for (Activation act : Activation.values()) {
                    kernels.add(new Kernel("biasActivation " + act, () -> c.biasActivation(y, bias, act, probs)));
                    kernels.add(new Kernel("activationBackward " + act, () -> c.activationBackward(act, y, probs, y, dl)));
                }
                for (Kernel k : kernels) {
                    double bytes = bytesPerCall(k.body());
                    if (bytes >= 1) {
                        offenders.add(backend.name() + " " + k.name() + ": " + bytes + " B/call");
                    }
                }
            }
        }
        assertTrue(offenders.isEmpty(), "kernels that allocate per call: " + offenders);
    }
}
