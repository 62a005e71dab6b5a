package dev.panamax.backend.blas;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.blas.ffi.Cblas;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

/**
 * GEMM through a CBLAS library's {@code cblas_sgemm} (OpenBLAS by default, see {@link BlasLibrary}),
 * called zero-copy on the tensors' native segments. Everything else is delegated to the SIMD
 * backend, or to the scalar reference where the SIMD backend cannot load.
 *
 * <p>The thread count is OpenBLAS's process-wide setting: the last BlasBackend created on a
 * library decides it for all of them.
 */
public final class BlasBackend implements Backend {
    private final BlasLibrary library;
    private final Cblas cblas;
    private final Backend elementwise;
    private final int threads;
    /** Whether GEMMs below {@link #SINGLE_THREAD_FMAS} run on one OpenBLAS thread (needs its thread control). */
    private final boolean narrowSmallGemms;

    /**
     * Below this many multiply-adds a GEMM runs on one OpenBLAS thread. Measured here (JMH, 2 threads
     * against 1): 128x10x256:NT took 37.6 us on two threads and 13.8 us on one; the split costs more than
     * the 0.3M FMAs of the MLP's 10-output layer. 32x256x784 (6.4M FMAs) still gains from two threads.
     */
    static final long SINGLE_THREAD_FMAS = 1L << 20;

    /**
     * Loads the default library ({@link BlasLibrary#load()}).
     *
     * @param threads OpenBLAS worker threads, 0 = the number of cores
     * @throws BackendUnavailableException when no CBLAS library loads, with what to install or set
     */
    public BlasBackend(int threads) {
        this(BlasLibrary.load(), threads);
    }

    /** Uses an already loaded library (tests, or a caller that resolved one itself). */
    public BlasBackend(BlasLibrary library, int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("thread count must be >= 0 (0 = all cores), got " + threads);
        }
        this.library = library;
        this.cblas = library.cblas();
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        library.setThreads(this.threads);
        this.narrowSmallGemms = this.threads > 1 && cblas.hasThreadControl();
        this.elementwise = elementwiseBackend();
    }

    // the simd elementwise kernels run on the calling thread; only its GEMM uses a pool, which
    // this backend never calls, so one thread keeps that pool from holding idle workers
    private static Backend elementwiseBackend() {
        try {
            return Backends.create("simd", 1);
        } catch (BackendUnavailableException e) {
            return new ScalarBackend();
        }
    }

    /** The library this backend calls. */
    public BlasLibrary library() {
        return library;
    }

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public String describe() {
        return "cblas_sgemm through FFM from " + library.summary() + "; elementwise from " + elementwise.name()
                + " (" + threads + " threads requested)";
    }

    // A (m,k) or (k,m) if transA; B (k,n) or (n,k) if transB; C (m,n)
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        if (m == 0 || n == 0) {
            return; // C is empty; BLAS would also return, but only after rejecting ld = 0
        }
        // Row-major leading dimension = stored row length; BLAS demands >= 1 even for empty operands.
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        // beta == 0 goes through as is: BLAS defines C as write-only then, and both OpenBLAS builds
        // (Debian 0.3.21, bundled 0.3.30) honour that even on their small-matrix paths, so NaN in C
        // does not leak (BlasBackendTest.betaZeroIgnoresNanAndInfinityInC); no extra zeroing pass.
        boolean narrow = narrowSmallGemms && (long) m * n * k < SINGLE_THREAD_FMAS;
        if (narrow) {
            cblas.setNumThreads(1);
        }
        try {
            cblas.sgemm(Cblas.ROW_MAJOR, transA ? Cblas.TRANS : Cblas.NO_TRANS, transB ? Cblas.TRANS : Cblas.NO_TRANS,
                    m, n, k, alpha, a.segment(), lda, b.segment(), ldb, beta, c.segment(), n);
        } finally {
            if (narrow) {
                cblas.setNumThreads(threads);
            }
        }
    }

    // ---------------------------------------------------------------- delegated

    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        elementwise.biasActivation(x, bias, act, y);
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        elementwise.activationBackward(act, x, y, dy, dx);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(float alpha, Tensor x) {
        elementwise.scale(alpha, x);
    }

    @Override
    public void columnSums(Tensor x, float beta, Tensor out) {
        elementwise.columnSums(x, beta, out);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        elementwise.softmaxRows(x, y);
    }

    @Override
    public void logSoftmaxRows(Tensor x, Tensor y) {
        elementwise.logSoftmaxRows(x, y);
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        return elementwise.softmaxCrossEntropy(logits, labels, probs, dlogits, gradScale);
    }

    @Override
    public void sgdStep(Tensor p, Tensor g, Tensor buf, float weightDecay, float momentum, float dampComplement,
                        boolean nesterov, boolean first, float negLr) {
        elementwise.sgdStep(p, g, buf, weightDecay, momentum, dampComplement, nesterov, first, negLr);
    }

    @Override
    public void adagradStep(Tensor p, Tensor g, Tensor sum, float weightDecay, float negClr, float eps) {
        elementwise.adagradStep(p, g, sum, weightDecay, negClr, eps);
    }

    @Override
    public void adadeltaStep(Tensor p, Tensor g, Tensor squareAvg, Tensor accDelta, float weightDecay,
                             float rho, float oneMinusRho, float eps, float negLr) {
        elementwise.adadeltaStep(p, g, squareAvg, accDelta, weightDecay, rho, oneMinusRho, eps, negLr);
    }

    @Override
    public void rmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf, float weightDecay,
                            float alpha, float oneMinusAlpha, float eps, float momentum, float negLr) {
        elementwise.rmspropStep(p, g, squareAvg, gradAvg, buf, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr);
    }

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, float decayFactor, float weightDecay,
                         float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                         float negStepSize, float bc2Sqrt, float eps) {
        elementwise.adamStep(p, g, m, v, vmax, decayFactor, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                negStepSize, bc2Sqrt, eps);
    }

    @Override
    public void close() {
        elementwise.close();
    }
}
