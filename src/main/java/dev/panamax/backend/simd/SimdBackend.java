package dev.panamax.backend.simd;

import dev.panamax.backend.AcceleratedUpdate;
import dev.panamax.backend.UpdateKernel;
import dev.panamax.backend.UpdateRule;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.staging.NativeStaging;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.MemorySegment;

import static dev.panamax.backend.staging.Strided.from;

/**
 * The Vector API backend: a packed, register-blocked GEMM on a fixed thread pool
 * ({@link SimdGemm}), and single-pass vectorized elementwise kernels. Loaded reflectively by
 * {@link dev.panamax.backend.Backends}; needs {@code --add-modules jdk.incubator.vector}.
 */
public final class SimdBackend implements Backend {
    private final int threads;
    private final SimdGemm gemm;
    private volatile boolean closed;

    /** threads: GEMM worker threads, the caller included; 0 means one per available core. */
    public SimdBackend(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
        }
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.gemm = new SimdGemm(new WorkerPool(this.threads));
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String describe() {
        return "Java Vector API, " + GemmBlocking.F.vectorBitSize() + "-bit vectors, packed GEMM "
                + GemmBlocking.MR + "x" + GemmBlocking.NR + " micro-kernel (" + SimdHardware.VECTOR_REGISTERS
                + " registers), KC " + GemmBlocking.KC + " MC " + GemmBlocking.MC + " NC " + GemmBlocking.NC + ", "
                + threads + " thread"
                + (threads == 1 ? "" : "s");
    }

    /**
     * What the GEMM kernels were chosen from and what was chosen, one line each with its source: the
     * species, the register file, the caches, the tile and the blocking (for {@code panamax info}).
     */
    public static java.util.List<String> kernelChoice() {
        java.util.List<String> lines = new java.util.ArrayList<>(SimdHardware.describe());
        lines.addAll(GemmBlocking.describe());
        return lines;
    }

    // A (m,k) or (k,m) if transA; B (k,n) or (n,k) if transB; C (m,n)
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        gemm(transA, transB, m, n, k, alpha, a.segment(), 0, transA ? m : k, b.segment(), 0, transB ? k : n, beta,
                c.segment(), 0, n);
    }

    // strided storage (see Backend): heap operands (float[]) are copied into native buffers first, so the
    // kernels only ever see native segments: read in place, the same GEMMs on heap arrays ran measurably
    // slower than on native memory (README, "BLAS on your own arrays")
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        NativeStaging.gemm(gemm, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset,
                ldc);
    }

    @Override
    public void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aOffset, int lda,
                     MemorySegment x, long xOffset, int incX, float beta, MemorySegment y, long yOffset, int incY) {
        if (incX != 1 || incY != 1) {
            Backend.super.gemv(trans, m, n, alpha, a, aOffset, lda, x, xOffset, incX, beta, y, yOffset, incY);
            return;
        }
        SimdBlas.gemv(trans, m, n, alpha, a, aOffset * Float.BYTES, lda, x, xOffset * Float.BYTES, beta, y,
                yOffset * Float.BYTES);
    }

    @Override
    public float dot(int n, MemorySegment x, long xOffset, int incX, MemorySegment y, long yOffset, int incY) {
        if (incX != 1 || incY != 1) {
            return Backend.super.dot(n, x, xOffset, incX, y, yOffset, incY);
        }
        return SimdBlas.dot(n, x, xOffset * Float.BYTES, y, yOffset * Float.BYTES);
    }

    @Override
    public void axpy(int n, float alpha, MemorySegment x, long xOffset, int incX,
                     MemorySegment y, long yOffset, int incY) {
        if (incX != 1 || incY != 1) {
            Backend.super.axpy(n, alpha, x, xOffset, incX, y, yOffset, incY);
            return;
        }
        SimdLevel1.axpy(alpha, from(x, xOffset), from(y, yOffset), n);
    }

    @Override
    public void scal(int n, float alpha, MemorySegment x, long xOffset, int incX) {
        if (incX != 1) {
            Backend.super.scal(n, alpha, x, xOffset, incX);
            return;
        }
        SimdLevel1.scale(alpha, from(x, xOffset), n);
    }

    // x (R,C), bias (C) or null -> y (R,C)
    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        SimdActivations.biasActivation(x.segment(), bias == null ? null : bias.segment(), act, y.segment(),
                x.rows(), x.cols());
    }

    // x (N) for relu, y (N) for sigmoid/tanh, dy (N) -> dx (N)
    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        SimdActivations.activationBackward(act, segmentOrNull(x), segmentOrNull(y), dy.segment(), dx.segment(),
                dy.size());
    }

    // x (N), y (N) -> y
    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        SimdLevel1.axpy(alpha, x.segment(), y.segment(), x.size());
    }

    // x (N) -> x
    @Override
    public void scale(float alpha, Tensor x) {
        SimdLevel1.scale(alpha, x.segment(), x.size());
    }

    // x (R,C) -> out (C)
    @Override
    public void columnSums(Tensor x, float beta, Tensor out) {
        SimdLevel1.columnSums(x.segment(), beta, out.segment(), x.rows(), x.cols());
    }

    // x (R,C) -> y (R,C)
    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        SimdSoftmax.softmaxRows(x.segment(), y.segment(), x.rows(), x.cols());
    }

    // x (R,C) -> y (R,C)
    @Override
    public void logSoftmaxRows(Tensor x, Tensor y) {
        SimdSoftmax.logSoftmaxRows(x.segment(), y.segment(), x.rows(), x.cols());
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null
    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        return SimdSoftmax.softmaxCrossEntropy(logits.segment(), labels.segment(), probs.segment(),
                segmentOrNull(dlogits), gradScale, logits.rows(), logits.cols());
    }

    @Override
    public UpdateKernel updateKernel(UpdateRule rule) {
        return AcceleratedUpdate.resolve(rule, SimdOptimizers.KERNELS, name(), rule::reference);
    }

    private static MemorySegment segmentOrNull(Tensor t) {
        return t == null ? null : t.segment();
    }

    /** Stops the GEMM worker threads. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            gemm.close();
        }
    }
}
