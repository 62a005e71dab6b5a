package dev.panamax.backend;

import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The checked facade over a {@link Backend}: every argument is validated here, once, with a
 * message that names the argument and the shapes; then the unchecked kernel runs. Everything
 * above the backend layer (autograd, optimizers, benchmarks) calls kernels through this class.
 *
 * <p>It is also the allocator for tensors that kernels will work on ({@link #allocate}): with an
 * {@link Backend#asynchronous() asynchronous} backend those live in the backend's memory and may be
 * read on the host only after {@link #synchronize()}. Checks that would read such a tensor on the host
 * (cross-entropy's labels) are done where the data enters instead, and documented there.
 *
 * <p>A {@code Compute} owns its backend: {@link #close()} closes it, and every call that allocates,
 * orders or computes throws {@link IllegalStateException} after that. Shapes that do not fit throw
 * {@link IllegalArgumentException} before anything is written. Tensors are described as in
 * {@link Backend}: row-major float32, "(R,C)" the tensor seen as {@code rows() x cols()}.
 */
public final class Compute implements AutoCloseable, TensorAllocator {
    private final Backend backend;
    /** Set by close(): every later call fails, on every backend, instead of running on a half-released one. */
    private volatile boolean closed;

    /**
     * A facade over {@code backend}, which it owns from now on (see {@link #close()}).
     *
     * @param backend the backend that runs the kernels, e.g. from {@link Backends#best(int)}
     */
    public Compute(Backend backend) {
        this.backend = backend;
    }

    /**
     * The backend behind this facade; calling it directly skips the checks.
     *
     * @return the backend this was made with
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The backend's short name ({@link Backend#name()}).
     *
     * @return scalar, simd, blas or cuda
     */
    public String name() {
        return backend.name();
    }

    // ---------------------------------------------------------------- memory and ordering

    /**
     * A zero-filled tensor in the memory the backend computes on ({@link Backend#allocate}).
     *
     * @param owner the arena whose closing frees the tensor
     * @param shape the dimensions, each {@code >= 0}
     * @return the new tensor, all zeros
     */
    @Override
    public Tensor allocate(Arena owner, int... shape) {
        return live().allocate(owner, shape);
    }

    /**
     * A tensor in the backend's memory ({@link #allocate}) holding a copy of {@code source}, same shape.
     *
     * @param owner  the arena whose closing frees the copy
     * @param source the tensor copied (host or backend memory)
     * @return the copy, ordered like a kernel (readable on the host after {@link #synchronize()} when the
     *         backend is asynchronous)
     */
    public Tensor copyOf(Arena owner, Tensor source) {
        Tensor t = allocate(owner, source.shape());
        copy(source, t);
        return t;
    }

    /**
     * See {@link Backend#asynchronous()}.
     *
     * @return whether calls may return before their results are written (true for cuda)
     */
    public boolean asynchronous() {
        return live().asynchronous();
    }

    /** Waits for every call made so far; after it the host may read and write any tensor. */
    public void synchronize() {
        live().synchronize();
    }

    /**
     * See {@link Backend#isResident}: true when the host must synchronize() before touching {@code t}.
     *
     * @param t any tensor
     * @return whether {@code t} lies in backend memory that queued calls may still be writing
     */
    public boolean isResident(Tensor t) {
        return live().isResident(t);
    }

    /**
     * {@code dst = src}: same element count, not overlapping unless identical (then nothing happens).
     *
     * @param src the tensor read
     * @param dst the tensor written; host or backend memory, like {@code src}
     * @throws IllegalArgumentException if the element counts differ or the two overlap without being the same
     */
    public void copy(Tensor src, Tensor dst) {
        requireSameSize("dst", dst, "src", src);
        if (sameMemory(src.segment(), dst.segment())) {
            return;
        }
        requireDistinct("dst", dst, "src", src, "copy");
        live().copy(src, dst);
    }

    /**
     * {@code x[i] = value} everywhere.
     *
     * @param x     the tensor written
     * @param value the value of every element
     */
    public void fill(Tensor x, float value) {
        live().fill(x, value);
    }

    // ---------------------------------------------------------------- kernels

    /**
     * {@code C = alpha * op(A) op(B) + beta * C}, sizes taken from the tensors.
     * A (m,k) or (k,m) when transA; B (k,n) or (n,k) when transB; C (m,n). When beta == 0, C is not read.
     *
     * @param transA whether A is stored transposed
     * @param transB whether B is stored transposed
     * @param alpha  the factor of the product, finite
     * @param a      A, a rank-2 tensor
     * @param b      B, a rank-2 tensor
     * @param beta   the factor of C's old value, finite
     * @param c      C, the output, a rank-2 tensor
     * @throws IllegalArgumentException if a tensor is not rank 2, the shapes do not chain, C overlaps A or B,
     *         or alpha or beta is not finite
     */
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        requireRank2("A", a);
        requireRank2("B", b);
        requireRank2("C", c);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("gemm shape mismatch: op(A) " + m + "x" + k + " (A " + a.shapeString()
                    + (transA ? " transposed" : "") + "), op(B) " + kb + "x" + n + " (B " + b.shapeString()
                    + (transB ? " transposed" : "") + "), C " + c.shapeString() + " (expected [" + m + ", " + n + "])");
        }
        requireDistinct("C", c, "A", a, "gemm");
        requireDistinct("C", c, "B", b, "gemm");
        requireFinite("alpha", alpha);
        requireFinite("beta", beta);
        live().gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    /**
     * x (R,C), bias (C) or null -> y = act(x + bias), the bias added to every row.
     *
     * @param x    the input (R,C)
     * @param bias the bias (C), or null for none
     * @param act  the activation applied after the bias
     * @param y    the output, x's shape; may be x
     * @throws IllegalArgumentException if y's shape is not x's or the bias does not have x's column count
     */
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        requireSameShape("y", y, "x", x);
        if (bias != null && bias.size() != x.cols()) {
            throw new IllegalArgumentException("bias " + bias.shapeString() + " does not match the " + x.cols()
                    + " columns of x " + x.shapeString());
        }
        live().biasActivation(x, bias, act, y);
    }

    /**
     * y = act(x), elementwise: {@link #biasActivation} without a bias.
     *
     * @param act the activation
     * @param x   the input
     * @param y   the output, x's shape; may be x
     * @throws IllegalArgumentException if y's shape is not x's
     */
    public void activation(Activation act, Tensor x, Tensor y) {
        biasActivation(x, null, act, y);
    }

    /**
     * dx = dy * act'(.), relu from x, sigmoid/tanh from y ({@link Backend#activationBackward}).
     *
     * @param act the activation of the forward pass
     * @param x   the pre-activation, read by relu (may be null for the others)
     * @param y   the forward output, read by sigmoid and tanh (may be null for relu and identity)
     * @param dy  the gradient with respect to the output
     * @param dx  the gradient with respect to the pre-activation, written; may be dy
     * @throws IllegalArgumentException if dx, or the tensor {@code act} reads, does not have dy's shape
     */
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        requireSameShape("dx", dx, "dy", dy);
        if (act == Activation.RELU) {
            requireSameShape("x", x, "dy", dy);
        } else if (act != Activation.IDENTITY) {
            requireSameShape("y", y, "dy", dy);
        }
        live().activationBackward(act, x, y, dy, dx);
    }

    /**
     * {@code y = alpha * x + y}, elementwise.
     *
     * @param alpha the factor of x
     * @param x     the tensor added
     * @param y     the tensor added to
     * @throws IllegalArgumentException if x and y do not hold as many elements
     */
    public void axpy(float alpha, Tensor x, Tensor y) {
        requireSameSize("y", y, "x", x);
        live().axpy(alpha, x, y);
    }

    /**
     * {@code x = alpha * x}, elementwise.
     *
     * @param alpha the factor
     * @param x     the tensor scaled in place
     */
    public void scale(float alpha, Tensor x) {
        live().scale(alpha, x);
    }

    /**
     * x (R,C) -> out (C): out = beta * out + column sums of x; beta == 0 ignores out's old value.
     *
     * @param x    the matrix summed down its columns
     * @param beta the factor of out's old value
     * @param out  the column sums, written
     * @throws IllegalArgumentException if out does not hold one element per column of x
     */
    public void columnSums(Tensor x, float beta, Tensor out) {
        if (out.size() != x.cols()) {
            throw new IllegalArgumentException("column sums of x " + x.shapeString() + " need out of " + x.cols()
                    + " elements, got " + out.shapeString());
        }
        live().columnSums(x, beta, out);
    }

    /**
     * x (R,C) -> y (R,C): row-wise softmax, max-subtracted so large inputs do not overflow.
     *
     * @param x the logits
     * @param y the probabilities, x's shape
     * @throws IllegalArgumentException if y's shape is not x's
     */
    public void softmaxRows(Tensor x, Tensor y) {
        requireSameShape("y", y, "x", x);
        live().softmaxRows(x, y);
    }

    /**
     * x (R,C) -> y (R,C): row-wise log-softmax, {@code x - max - log(sum(exp(x - max)))}.
     *
     * @param x the logits
     * @param y the log-probabilities, x's shape
     * @throws IllegalArgumentException if y's shape is not x's
     */
    public void logSoftmaxRows(Tensor x, Tensor y) {
        requireSameShape("y", y, "x", x);
        live().logSoftmaxRows(x, y);
    }

    /**
     * Fused softmax + cross-entropy: returns the summed row losses, writes probs and (if not null)
     * dlogits = (probs - onehot) * gradScale. Labels are class indices stored as floats; they are
     * checked here unless they lie in an asynchronous backend's own memory (see {@link #softmaxCrossEntropyMean}).
     *
     * @param logits    the logits (B,C)
     * @param labels    the class index of each row (B), as floats
     * @param probs     the softmax of the logits, written, logits' shape
     * @param dlogits   the gradient with respect to the logits, written, logits' shape; or null for none
     * @param gradScale the factor of {@code probs - onehot(labels)} in dlogits (1/B for a mean loss)
     * @return the sum over rows of {@code logsumexp(logits_i) - logits_i[label_i]}, accumulated in double
     * @throws IllegalArgumentException if a shape does not match the logits' or a label checked here is not
     *         a class index
     */
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        checkCrossEntropy(logits, labels, probs, dlogits);
        return live().softmaxCrossEntropy(logits, labels, probs, dlogits, gradScale);
    }

    /**
     * {@link #softmaxCrossEntropy} with the mean loss written to {@code meanLoss[0]} instead of returned,
     * so that an asynchronous backend needs no read-back. Labels in that backend's own memory are not
     * read here (that would cost a synchronisation per call): callers check them where they enter, as
     * {@code BatchGraph} does; the cuda kernel turns a label out of range into a NaN loss rather than a
     * wrong number or an out-of-row read.
     *
     * @param logits    the logits (B,C)
     * @param labels    the class index of each row (B), as floats
     * @param probs     the softmax of the logits, written, logits' shape
     * @param dlogits   the gradient with respect to the logits, written, logits' shape; or null for none
     * @param gradScale the factor of {@code probs - onehot(labels)} in dlogits (1/B for a mean loss)
     * @param meanLoss  a one-element tensor that receives {@code sum / B}
     * @throws IllegalArgumentException if a shape does not match, meanLoss does not hold one element, or a
     *         label checked here is not a class index
     */
    public void softmaxCrossEntropyMean(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale,
                                        Tensor meanLoss) {
        checkCrossEntropy(logits, labels, probs, dlogits);
        if (meanLoss.size() != 1) {
            throw new IllegalArgumentException("meanLoss must hold one value, got " + meanLoss.shapeString());
        }
        live().softmaxCrossEntropyMean(logits, labels, probs, dlogits, gradScale, meanLoss);
    }

    private void checkCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits) {
        requireSameShape("probs", probs, "logits", logits);
        if (dlogits != null) {
            requireSameShape("dlogits", dlogits, "logits", logits);
        }
        if (labels.size() != logits.rows()) {
            throw new IllegalArgumentException("labels " + labels.shapeString() + " do not match the "
                    + logits.rows() + " rows of logits " + logits.shapeString());
        }
        if (!live().isResident(labels)) {
            requireClassIndices(labels, logits.cols());
        }
    }

    /**
     * Every label is an integer in [0, classes); the error names the first that is not. Public for the
     * places where labels enter a training step, which check them on the host before any upload.
     *
     * @param labels  class indices stored as floats, read on the host
     * @param classes the number of classes
     * @throws IllegalArgumentException naming the first label that is not an integer in [0, classes)
     */
    public static void requireClassIndices(Tensor labels, int classes) {
        for (long i = 0; i < labels.size(); i++) {
            float l = labels.get(i);
            if (!(l >= 0 && l < classes) || l != Math.rint(l)) {
                throw new IllegalArgumentException("label " + l + " at index " + i + " is not a class index in [0, "
                        + classes + ")");
            }
        }
    }

    /**
     * logits (B,C), labels (B) -> count (1): rows whose first largest logit is at the label
     * ({@link Backend#countCorrect}).
     *
     * @param logits the logits, rank 2 with at least one column
     * @param labels the class index of each row, as floats
     * @param count  a one-element tensor that receives the count, as a float
     * @throws IllegalArgumentException if logits is not (B,C) with C {@code >= 1}, labels do not hold B
     *         elements or count does not hold one
     */
    public void countCorrect(Tensor logits, Tensor labels, Tensor count) {
        if (logits.rank() != 2 || logits.cols() == 0) {
            throw new IllegalArgumentException("countCorrect needs logits (B, C) with C >= 1, got " + logits.shapeString());
        }
        if (labels.size() != logits.rows()) {
            throw new IllegalArgumentException("labels " + labels.shapeString() + " do not match the "
                    + logits.rows() + " rows of logits " + logits.shapeString());
        }
        if (count.size() != 1) {
            throw new IllegalArgumentException("count must hold one value, got " + count.shapeString());
        }
        live().countCorrect(logits, labels, count);
    }

    /**
     * The backend's kernel for {@code rule} ({@link Backend#updateKernel}), resolved now, wrapped in the
     * checks every call gets: as many tensors and scalars as the rule names, the parameter present,
     * every other tensor present unless the rule calls it optional, all of the parameter's size.
     *
     * @param rule the update rule
     * @return the checked kernel; each call throws {@link IllegalArgumentException} when its tensors or
     *         scalars do not fit the rule
     */
    public UpdateKernel updateKernel(UpdateRule rule) {
        UpdateKernel kernel = live().updateKernel(rule);
        return (tensors, scalars) -> {
            checkUpdate(rule, tensors, scalars);
            live();
            kernel.apply(tensors, scalars);
        };
    }

    private static void checkUpdate(UpdateRule rule, Tensor[] tensors, float[] scalars) {
        if (tensors.length != rule.tensors().size() || scalars.length != rule.scalars().size()) {
            throw new IllegalArgumentException(rule.name() + " takes tensors " + rule.tensors() + " and scalars "
                    + rule.scalars() + ", got " + tensors.length + " tensors and " + scalars.length + " scalars");
        }
        Tensor param = tensors[0];
        if (param == null) {
            throw new IllegalArgumentException(rule.name() + ": " + rule.tensors().getFirst() + " must not be null");
        }
        for (int i = 1; i < tensors.length; i++) {
            if (tensors[i] == null) {
                if (!rule.optional(i)) {
                    throw new IllegalArgumentException(rule.name() + ": " + rule.tensors().get(i) + " must not be null");
                }
            } else {
                requireSameSize(rule.tensors().get(i), tensors[i], rule.tensors().getFirst(), param);
            }
        }
    }

    /** Closes the backend (its threads, its device memory); idempotent. Any call after it fails. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }

    private Backend live() {
        if (closed) {
            throw new IllegalStateException("this Compute (" + backend.name() + ") has been closed");
        }
        return backend;
    }

    // ---------------------------------------------------------------- checks

    private static void requireRank2(String name, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("gemm needs a matrix for " + name + ", got shape " + t.shapeString());
        }
    }

    private static void requireSameShape(String name, Tensor t, String refName, Tensor ref) {
        if (!t.sameShape(ref)) {
            throw new IllegalArgumentException(name + " " + t.shapeString() + " must have the shape of " + refName + " "
                    + ref.shapeString());
        }
    }

    private static void requireSameSize(String name, Tensor t, String refName, Tensor ref) {
        if (t.size() != ref.size()) {
            throw new IllegalArgumentException(name + " " + t.shapeString() + " must have as many elements as "
                    + refName + " " + ref.shapeString());
        }
    }

    private static void requireDistinct(String name, Tensor t, String otherName, Tensor other, String op) {
        if (overlap(t.segment(), other.segment())) {
            throw new IllegalArgumentException(name + " must not overlap " + otherName + " in " + op);
        }
    }

    /**
     * Whether two segments share bytes. Native segments: address arithmetic (asOverlappingSlice would
     * allocate an Optional per call on the training path). Heap segments: address() is the offset in the
     * backing array, so offsets only compare within the same array; a heap and a native segment never
     * overlap. (Comparing raw addresses alone took every two heap tensors for one: both start at 0.)
     */
    static boolean overlap(MemorySegment a, MemorySegment b) {
        if (a.isNative() != b.isNative() || !a.isNative() && !sameArray(a, b)) {
            return false;
        }
        long start = a.address();
        long otherStart = b.address();
        return start < otherStart + b.byteSize() && otherStart < start + a.byteSize();
    }

    /** Whether two segments start at the same byte of the same memory (a copy onto itself). */
    static boolean sameMemory(MemorySegment a, MemorySegment b) {
        return a.isNative() == b.isNative() && (a.isNative() || sameArray(a, b)) && a.address() == b.address();
    }

    private static boolean sameArray(MemorySegment a, MemorySegment b) {
        return a.heapBase().orElse(null) == b.heapBase().orElse(null);
    }

    private static void requireFinite(String name, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, got " + v);
        }
    }
}
