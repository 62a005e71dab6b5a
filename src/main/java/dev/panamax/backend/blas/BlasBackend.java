package dev.panamax.backend.blas;

import dev.panamax.backend.UpdateKernel;
import dev.panamax.backend.UpdateRule;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.blas.ffi.Cblas;
import dev.panamax.backend.staging.NativeGemm;
import dev.panamax.backend.staging.NativeStaging;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.StampedLock;

import static dev.panamax.backend.staging.Strided.from;

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
    /** cblas_sgemm through the plain handle, on native operands: what NativeStaging serves long heap GEMMs to. */
    private final NativeGemm nativeGemm = (tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) ->
            gemmCall(false, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /**
     * Below this many multiply-adds a GEMM runs on one OpenBLAS thread. Measured here (JMH, 2 threads
     * against 1): 128x10x256:NT took 37.6 us on two threads and 13.8 us on one; the split costs more than
     * the 0.3M FMAs of the MLP's 10-output layer. 32x256x784 (6.4M FMAs) still gains from two threads.
     */
    static final long SINGLE_THREAD_FMAS = 1L << 20;

    /**
     * Longest calls on heap arrays that go to CBLAS in place, through a critical downcall: GEMMs up to
     * this many multiply-adds, level-1 and 2 calls up to {@link #CRITICAL_MAX_ELEMENTS} elements. A
     * critical call keeps its thread in Java state, so any safepoint the JVM starts meanwhile (a GC, a
     * deoptimisation) waits for it: the line is drawn at about a millisecond of one core, within the
     * spread of a young-generation pause. Measured with NetlibBench (Zen 4, OpenBLAS 0.3.21, one thread):
     * 2^25 multiply-adds take 0.5 to 0.7 ms (128x256x784 at 0.53 ms), 2^22 elements of sdot about 0.4 ms and
     * of sgemv about 0.7 ms. Past the line a GEMM's heap operands go through per-thread native buffers,
     * whose O(n^2) copies cost a few percent of its O(n^3) work (1024^3: 0.98x of the in-place call); a
     * longer sgemv is cut into pieces of whole rows of A, at most {@link #CRITICAL_MAX_ELEMENTS} elements
     * each, each a critical call of its own (a safepoint waits for one piece, never for the whole call;
     * transposed, the pieces' shares of y are summed by the later pieces' beta = 1, which rounds as a
     * split sum does, within the same bound); a longer level-1 call runs on the Vector API kernels,
     * which read float[] in place, since a copy would cost as much as the call.
     */
    static final long CRITICAL_MAX_FMAS = 1L << 25;
    /** See {@link #CRITICAL_MAX_FMAS}: the line for the memory-bound calls, in elements touched. */
    static final long CRITICAL_MAX_ELEMENTS = 1L << 22;

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
        gemmCall(false, transA, transB, m, n, k, alpha, a.segment(), lda, b.segment(), ldb, beta, c.segment(), n);
    }

    /**
     * cblas_sgemm under the thread-count lock. A small GEMM on a multi-threaded setting runs on one
     * OpenBLAS thread when it can have the library to itself (the write lock, tried, never waited for);
     * while other calls run it keeps their setting. Every other call holds a read lock, so the count
     * never changes under a running call.
     */
    private void gemmCall(boolean heap, boolean transA, boolean transB, int m, int n, int k, float alpha,
                          MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        StampedLock lock = library.threadCountLock();
        if (narrowSmallGemms && (long) m * n * k < SINGLE_THREAD_FMAS) {
            long stamp = lock.tryWriteLock();
            if (stamp != 0) {
                try {
                    cblas.setNumThreads(1);
                    cblas.sgemm(heap, Cblas.ROW_MAJOR, op(transA), op(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                } finally {
                    cblas.setNumThreads(threads);
                    lock.unlockWrite(stamp);
                }
                return;
            }
        }
        long stamp = lock.readLock();
        try {
            cblas.sgemm(heap, Cblas.ROW_MAJOR, op(transA), op(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private static int op(boolean trans) {
        return trans ? Cblas.TRANS : Cblas.NO_TRANS;
    }

    // ---------------------------------------------------------------- BLAS on strided storage

    /*
     * Native segments go to CBLAS as they are. Heap segments (float[]) go in place through the critical
     * handles when the call is short (CRITICAL_MAX_FMAS); a longer GEMM's go through NativeStaging.
     */

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        boolean heap = !a.isNative() || !b.isNative() || !c.isNative();
        if (heap && (long) m * n * k <= CRITICAL_MAX_FMAS) {
            gemmCall(true, transA, transB, m, n, k, alpha, from(a, aOffset), lda, from(b, bOffset), ldb, beta,
                    from(c, cOffset), ldc);
            return;
        }
        NativeStaging.gemm(nativeGemm, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c,
                cOffset, ldc);
    }

    @Override
    public void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aOffset, int lda,
                     MemorySegment x, long xOffset, int incX, float beta, MemorySegment y, long yOffset, int incY) {
        boolean heap = !a.isNative() || !x.isNative() || !y.isNative();
        if (heap && (long) m * n > CRITICAL_MAX_ELEMENTS && n > CRITICAL_MAX_ELEMENTS) {
            // not even one row of A fits under the line: the Vector API reads float[] in place, no GC hold-off
            elementwise.gemv(trans, m, n, alpha, a, aOffset, lda, x, xOffset, incX, beta, y, yOffset, incY);
            return;
        }
        // pieces of whole rows of A, each read as one contiguous stretch: without a transpose a piece computes its
        // rows' elements of y whole; transposed, a piece adds its rows' share into all of y (beta then 1)
        int rowsPerPiece = heap && n > 0 ? (int) Math.max(1, Math.min(m, CRITICAL_MAX_ELEMENTS / n)) : m;
        long stamp = library.threadCountLock().readLock();
        try {
            int r0 = 0;
            do {
                int r1 = Math.min(m, r0 + rowsPerPiece);
                long aAt = aOffset + (long) r0 * lda;
                long xAt = trans ? stretch(xOffset, incX, m, r0, r1) : xOffset;
                long yAt = trans ? yOffset : stretch(yOffset, incY, m, r0, r1);
                cblas.sgemv(heap, Cblas.ROW_MAJOR, op(trans), r1 - r0, n, alpha, from(a, aAt), lda, from(x, xAt), incX,
                        trans && r0 > 0 ? 1f : beta, from(y, yAt), incY);
                r0 = r1;
            } while (r0 < m);
        } finally {
            library.threadCountLock().unlockRead(stamp);
        }
    }

    // the lowest float of elements [e0, e1) of a vector of `length` elements `inc` apart stored from `offset`
    // (a negative inc walks it from the far end, so those elements lie length - e1 elements in)
    private static long stretch(long offset, int inc, int length, int e0, int e1) {
        return offset + (long) (inc > 0 ? e0 : length - e1) * Math.abs(inc);
    }

    @Override
    public float dot(int n, MemorySegment x, long xOffset, int incX, MemorySegment y, long yOffset, int incY) {
        boolean heap = !x.isNative() || !y.isNative();
        if (heap && n > CRITICAL_MAX_ELEMENTS) {
            return elementwise.dot(n, x, xOffset, incX, y, yOffset, incY);
        }
        long stamp = library.threadCountLock().readLock();
        try {
            return cblas.sdot(heap, n, from(x, xOffset), incX, from(y, yOffset), incY);
        } finally {
            library.threadCountLock().unlockRead(stamp);
        }
    }

    @Override
    public void axpy(int n, float alpha, MemorySegment x, long xOffset, int incX,
                     MemorySegment y, long yOffset, int incY) {
        boolean heap = !x.isNative() || !y.isNative();
        if (heap && n > CRITICAL_MAX_ELEMENTS) {
            elementwise.axpy(n, alpha, x, xOffset, incX, y, yOffset, incY);
            return;
        }
        long stamp = library.threadCountLock().readLock();
        try {
            cblas.saxpy(heap, n, alpha, from(x, xOffset), incX, from(y, yOffset), incY);
        } finally {
            library.threadCountLock().unlockRead(stamp);
        }
    }

    @Override
    public void scal(int n, float alpha, MemorySegment x, long xOffset, int incX) {
        boolean heap = !x.isNative();
        if (heap && n > CRITICAL_MAX_ELEMENTS) {
            elementwise.scal(n, alpha, x, xOffset, incX);
            return;
        }
        long stamp = library.threadCountLock().readLock();
        try {
            cblas.sscal(heap, n, alpha, from(x, xOffset), incX);
        } finally {
            library.threadCountLock().unlockRead(stamp);
        }
    }

    @Override
    public float nrm2(int n, MemorySegment x, long xOffset, int incX) {
        boolean heap = !x.isNative();
        if (!cblas.hasNrm2() || heap && n > CRITICAL_MAX_ELEMENTS) {
            return elementwise.nrm2(n, x, xOffset, incX);
        }
        long stamp = library.threadCountLock().readLock();
        try {
            return cblas.snrm2(heap, n, from(x, xOffset), incX);
        } finally {
            library.threadCountLock().unlockRead(stamp);
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
    public UpdateKernel updateKernel(UpdateRule rule) {
        return elementwise.updateKernel(rule);
    }

    @Override
    public void close() {
        elementwise.close();
    }
}
