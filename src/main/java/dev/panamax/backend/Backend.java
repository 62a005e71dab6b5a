package dev.panamax.backend;

import dev.panamax.backend.reference.ReferenceBlas;
import dev.panamax.backend.reference.SoftmaxReference;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kernel contract every backend implements. Arguments are NOT checked here: callers go through
 * {@link Compute}, which validates shapes once and then delegates. Tensors are row-major, contiguous
 * float32; "matrix" below means the tensor seen as {@code rows() x cols()}.
 *
 * <p>Aliasing: elementwise kernels allow the output to be the same tensor as an input
 * (in-place), unless stated otherwise. GEMM's C must not alias A or B.
 *
 * <p>The core a backend must implement: {@link #gemm(boolean, boolean, int, int, int, float, Tensor, Tensor,
 * float, Tensor) gemm} and the elementwise families (bias + activation and its backward, axpy, scale,
 * column sums). Everything else, the softmax family and the losses included, has a default: the
 * references in {@code dev.panamax.backend.reference} and {@link ReferenceBlas}, which a backend overrides
 * only where it computes faster. Optimizer updates are {@link UpdateRule}s, defined (reference loop
 * included) in the optimizer's own file; {@link #updateKernel} runs the reference unless the backend
 * carries a kernel of its own for the rule ({@link AcceleratedUpdate}).
 *
 * <p>Update kernels take their hyperparameters already rounded to float by the caller, who does
 * the hyperparameter arithmetic in double (PyTorch's semantics, see the golden README). They must use
 * fused multiply-add exactly where the rule's reference does and plain rounding elsewhere, so that
 * every backend can reproduce PyTorch bit for bit.
 *
 * <p>Memory and ordering: a backend may keep its own memory ({@link #allocate}) and run calls
 * asynchronously ({@link #asynchronous()}), in which case calls execute in the order they were made
 * and the host may touch tensors from {@link #allocate} only after {@link #synchronize()}. Tensors
 * from anywhere else (host memory) are always safe: a call reads its host inputs before it returns
 * (the caller may overwrite them at once), and a call that writes one returns only when the host copy
 * holds the result. A tensor fresh from {@link #allocate} is complete (zero-filled) when it is
 * returned, so the host may write its initial values straight away.
 */
public interface Backend extends AutoCloseable {

    /**
     * Short name used by {@code -Dpanamax.backend}: scalar, simd, blas, cuda.
     *
     * @return the backend's name
     */
    String name();

    /**
     * One line on how this backend computes (kernel, library file, threads).
     *
     * @return the description, for logs and {@code panamax info}
     */
    String describe();

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}; op(A) is (m,k), op(B) is (k,n), C is (m,n).
     * A is stored (m,k), or (k,m) when transA; B is stored (k,n), or (n,k) when transB.
     * When beta == 0, C is not read (NaN in C does not propagate).
     *
     * @param transA whether A is stored transposed, (k,m)
     * @param transB whether B is stored transposed, (n,k)
     * @param m      rows of op(A) and C
     * @param n      columns of op(B) and C
     * @param k      columns of op(A), rows of op(B)
     * @param alpha  the factor of the product
     * @param a      A, contiguous
     * @param b      B, contiguous
     * @param beta   the factor of C's old value
     * @param c      C (m,n), the output; must not alias A or B
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---------------------------------------------------------------- BLAS on strided storage

    /*
     * The calls behind FloatBlas, on memory the caller owns: row-major storage with leading dimensions
     * and increments as ReferenceBlas describes them, offsets in floats, on native or heap segments
     * (FloatBlas maps column-major calls onto these). Arguments are checked by FloatBlas, not here.
     * They may be called from any number of threads at once, and each call has its result in memory
     * when it returns, on every backend. Nothing outside the output's elements is written.
     */

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} on strided storage: A (m,k), or (k,m) if transA, rows lda
     * apart from float aOffset; B (k,n), or (n,k) if transB; C (m,n). beta == 0: C is not read. The default
     * copies the operands into contiguous host tensors and calls {@link #gemm(boolean, boolean, int, int, int,
     * float, Tensor, Tensor, float, Tensor)}.
     *
     * @param transA  whether A is stored transposed
     * @param transB  whether B is stored transposed
     * @param m       rows of op(A) and C
     * @param n       columns of op(B) and C
     * @param k       columns of op(A), rows of op(B)
     * @param alpha   the factor of the product
     * @param a       the segment holding A (native or heap)
     * @param aOffset the float index of A's first element
     * @param lda     floats from one stored row of A to the next
     * @param b       the segment holding B
     * @param bOffset the float index of B's first element
     * @param ldb     floats from one stored row of B to the next
     * @param beta    the factor of C's old value
     * @param c       the segment holding C, the output
     * @param cOffset the float index of C's first element
     * @param ldc     floats from one row of C to the next
     */
    default void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                      float beta, MemorySegment c, long cOffset, int ldc) {
        StagedGemm.run(this, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /**
     * {@code y = alpha * op(A) x + beta * y}, A (m,n) rows lda apart; beta == 0: y is not read.
     *
     * @param trans   whether op(A) is A^T (x then has m elements and y n)
     * @param m       rows of A
     * @param n       columns of A
     * @param alpha   the factor of the product
     * @param a       the segment holding A
     * @param aOffset the float index of A's first element
     * @param lda     floats from one row of A to the next
     * @param x       the segment holding x
     * @param xOffset the float index where x's storage starts
     * @param incX    floats between elements of x, not 0 (negative: from the far end)
     * @param beta    the factor of y's old value
     * @param y       the segment holding y, the output
     * @param yOffset the float index where y's storage starts
     * @param incY    floats between elements of y, not 0
     */
    default void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aOffset, int lda,
                      MemorySegment x, long xOffset, int incX, float beta, MemorySegment y, long yOffset, int incY) {
        ReferenceBlas.gemv(trans, m, n, alpha, a, aOffset, lda, x, xOffset, incX, beta, y, yOffset, incY);
    }

    /**
     * The sum of {@code x[i] * y[i]} over n strided elements.
     *
     * @param n       the number of elements
     * @param x       the segment holding x
     * @param xOffset the float index where x's storage starts
     * @param incX    floats between elements of x, not 0 (negative: from the far end)
     * @param y       the segment holding y
     * @param yOffset the float index where y's storage starts
     * @param incY    floats between elements of y, not 0
     * @return the dot product
     */
    default float dot(int n, MemorySegment x, long xOffset, int incX, MemorySegment y, long yOffset, int incY) {
        return ReferenceBlas.dot(n, x, xOffset, incX, y, yOffset, incY);
    }

    /**
     * {@code y = alpha * x + y} over n strided elements. x may be y itself (same offset and increment).
     *
     * @param n       the number of elements
     * @param alpha   the factor of x
     * @param x       the segment holding x
     * @param xOffset the float index where x's storage starts
     * @param incX    floats between elements of x, not 0 (negative: from the far end)
     * @param y       the segment holding y
     * @param yOffset the float index where y's storage starts
     * @param incY    floats between elements of y, not 0, the output
     */
    default void axpy(int n, float alpha, MemorySegment x, long xOffset, int incX,
                      MemorySegment y, long yOffset, int incY) {
        ReferenceBlas.axpy(n, alpha, x, xOffset, incX, y, yOffset, incY);
    }

    /**
     * {@code x = alpha * x} over n elements, incX > 0.
     *
     * @param n       the number of elements
     * @param alpha   the factor
     * @param x       the segment holding x, scaled in place
     * @param xOffset the float index where x's storage starts
     * @param incX    floats between elements of x, {@code > 0}
     */
    default void scal(int n, float alpha, MemorySegment x, long xOffset, int incX) {
        ReferenceBlas.scal(n, alpha, x, xOffset, incX);
    }

    /**
     * The Euclidean norm of n elements, incX > 0.
     *
     * @param n       the number of elements
     * @param x       the segment holding x
     * @param xOffset the float index where x's storage starts
     * @param incX    floats between elements of x, {@code > 0}
     * @return {@code sqrt(sum x[i]^2)}
     */
    default float nrm2(int n, MemorySegment x, long xOffset, int incX) {
        return ReferenceBlas.nrm2(n, x, xOffset, incX);
    }

    // ---------------------------------------------------------------- memory and ordering

    /**
     * A zero-filled tensor owned by {@code owner}, in the memory this backend computes on in place
     * (the CPU backends: host memory, which is the default). It stays host-addressable, so
     * {@link Tensor#get} and checkpoints work on it, after {@link #synchronize()} when the backend is
     * {@link #asynchronous()}.
     *
     * @param owner the arena whose closing frees the tensor
     * @param shape the dimensions, each {@code >= 0}
     * @return the new tensor, all zeros
     */
    default Tensor allocate(Arena owner, int... shape) {
        return Tensor.allocate(owner, shape);
    }

    /**
     * True when calls may return before their results are written (a GPU stream): the host must call
     * {@link #synchronize()} before reading or writing tensors from {@link #allocate}. False (the
     * default) for the CPU backends, whose calls are done when they return.
     *
     * @return whether calls may finish after they return
     */
    default boolean asynchronous() {
        return false;
    }

    /** Returns when every call made so far has finished and its results are in memory. */
    default void synchronize() {
    }

    /**
     * True when {@code t} lies in memory from this backend's {@link #allocate} that queued calls may
     * still be writing (so the host must {@link #synchronize()} before reading it). Always false for the
     * CPU backends, whose memory is plain host memory and always current.
     *
     * @param t any tensor
     * @return whether the host must synchronize before touching {@code t}
     */
    default boolean isResident(Tensor t) {
        return false;
    }

    /**
     * {@code dst = src}, same element count; either may be host or backend memory. Ordered like a kernel.
     *
     * @param src the tensor read
     * @param dst the tensor written
     */
    default void copy(Tensor src, Tensor dst) {
        dst.copyFrom(src);
    }

    /**
     * {@code x[i] = value} for every i.
     *
     * @param x     the tensor written
     * @param value the value of every element
     */
    default void fill(Tensor x, float value) {
        x.fill(value);
    }

    // ---------------------------------------------------------------- elementwise, forward

    /**
     * x (R,C), bias (C) or null -> y (R,C): {@code y = act(x + bias)} (row broadcast of bias).
     *
     * @param x    the input (R,C)
     * @param bias the bias (C) added to every row, or null for none
     * @param act  the activation applied after the bias
     * @param y    the output (R,C); may be x
     */
    void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y);

    /**
     * Backward of {@link #biasActivation} without the bias: {@code dx = dy * act'(.)}.
     * relu reads the pre-activation x, sigmoid and tanh the output y (either may be null when the
     * activation does not need it). dy and dx may alias.
     *
     * @param act the activation of the forward pass
     * @param x   the pre-activation {@code x + bias} (read by relu), or null when {@code act} does not need it
     * @param y   the forward output (read by sigmoid and tanh), or null when {@code act} does not need it
     * @param dy  the gradient of the loss with respect to y
     * @param dx  the gradient with respect to the pre-activation, written; may be dy
     */
    void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * {@code y = alpha * x + y}.
     *
     * @param alpha the factor of x
     * @param x     the tensor added
     * @param y     the tensor added to, same element count as x
     */
    void axpy(float alpha, Tensor x, Tensor y);

    /**
     * {@code x = alpha * x}.
     *
     * @param alpha the factor
     * @param x     the tensor scaled in place
     */
    void scale(float alpha, Tensor x);

    /**
     * x (R,C) -> out (C): {@code out[j] = beta * out[j] + sum_i x[i,j]}; beta == 0 ignores out.
     *
     * @param x    the matrix (R,C) summed down its columns
     * @param beta the factor of out's old value (0 or 1 in practice)
     * @param out  the column sums (C), written
     */
    void columnSums(Tensor x, float beta, Tensor out);

    /**
     * x (R,C) -> y (R,C): row-wise softmax, max-subtracted so large inputs do not overflow.
     *
     * @param x the logits (R,C)
     * @param y the probabilities (R,C), each row summing to 1
     */
    default void softmaxRows(Tensor x, Tensor y) {
        SoftmaxReference.softmaxRows(x, y);
    }

    /**
     * x (R,C) -> y (R,C): row-wise log-softmax, {@code x - max - log(sum(exp(x - max)))}.
     *
     * @param x the logits (R,C)
     * @param y the log-probabilities (R,C)
     */
    default void logSoftmaxRows(Tensor x, Tensor y) {
        SoftmaxReference.logSoftmaxRows(x, y);
    }

    /**
     * Fused softmax + cross-entropy, forward and backward in one pass over the logits.
     * logits (B,C), labels (B) holding class indices as floats -> probs (B,C) = softmax(logits),
     * dlogits (B,C) = (probs - onehot(labels)) * gradScale (pass 1/B for a mean loss).
     * dlogits may be null (no backward). Returns the SUM over rows of
     * {@code logsumexp(logits_i) - logits_i[label_i]}, accumulated in double.
     *
     * @param logits    the logits (B,C)
     * @param labels    the class index of each row (B), as floats
     * @param probs     the softmax of the logits (B,C), written
     * @param dlogits   the gradient of the loss with respect to the logits (B,C), written, or null
     * @param gradScale the factor of {@code probs - onehot(labels)} in dlogits
     * @return the summed (not averaged) cross-entropy of the B rows
     */
    default double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        return SoftmaxReference.softmaxCrossEntropy(logits, labels, probs, dlogits, gradScale);
    }

    /**
     * {@link #softmaxCrossEntropy} that leaves the mean loss in memory instead of returning it:
     * {@code meanLoss[0] = (float) (sum / B)}, the sum and the division in double. An asynchronous
     * backend computes it on the device, so a training step needs no read-back until its end.
     *
     * @param logits    the logits (B,C)
     * @param labels    the class index of each row (B), as floats
     * @param probs     the softmax of the logits (B,C), written
     * @param dlogits   the gradient of the loss with respect to the logits (B,C), written, or null
     * @param gradScale the factor of {@code probs - onehot(labels)} in dlogits
     * @param meanLoss  a one-element tensor that receives the mean loss
     */
    default void softmaxCrossEntropyMean(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale,
                                         Tensor meanLoss) {
        double sum = softmaxCrossEntropy(logits, labels, probs, dlogits, gradScale);
        meanLoss.set(0, (float) (sum / logits.rows()));
    }

    /**
     * logits (B,C) with C >= 1, labels (B) -> count (1): {@code count[0]} = the number of rows whose
     * largest logit is at the label, the largest as {@link Tensor#argmaxOfRow} picks it (torch.argmax's rule),
     * as a float (exact below 2^24 rows). Lets a training step report accuracy without reading its
     * logits back.
     *
     * @param logits the logits (B,C)
     * @param labels the class index of each row (B), as floats
     * @param count  a one-element tensor that receives the count
     */
    default void countCorrect(Tensor logits, Tensor labels, Tensor count) {
        int correct = 0;
        for (int i = 0; i < logits.rows(); i++) {
            if (logits.argmaxOfRow(i) == (int) labels.get(i)) {
                correct++;
            }
        }
        count.set(0, correct);
    }

    // ---------------------------------------------------------------- optimizer updates

    /**
     * The kernel this backend runs {@code rule} with, resolved once (an optimizer asks at construction):
     * its own when it carries one for the rule's name ({@link AcceleratedUpdate}), otherwise the rule's
     * reference loop, which reads and writes host memory. A backend whose tensors may live elsewhere
     * (a device) must override this so that the reference sees host copies.
     *
     * @param rule the update rule an optimizer applies
     * @return the kernel to call on every step
     */
    default UpdateKernel updateKernel(UpdateRule rule) {
        return rule::reference;
    }

    /** Releases threads or native handles the backend holds. Idempotent. */
    @Override
    default void close() {
    }
}
