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
 */
public final class Compute implements AutoCloseable, TensorAllocator {
    private final Backend backend;
    /** Set by close(): every later call fails, on every backend, instead of running on a half-released one. */
    private volatile boolean closed;

    public Compute(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    public String name() {
        return backend.name();
    }

    // ---------------------------------------------------------------- memory and ordering

    /** A zero-filled tensor in the memory the backend computes on ({@link Backend#allocate}). */
    @Override
    public Tensor allocate(Arena owner, int... shape) {
        return live().allocate(owner, shape);
    }

    /** A tensor in the backend's memory ({@link #allocate}) holding a copy of {@code source}, same shape. */
    public Tensor copyOf(Arena owner, Tensor source) {
        Tensor t = allocate(owner, source.shape());
        copy(source, t);
        return t;
    }

    /** See {@link Backend#asynchronous()}. */
    public boolean asynchronous() {
        return live().asynchronous();
    }

    /** Waits for every call made so far; after it the host may read and write any tensor. */
    public void synchronize() {
        live().synchronize();
    }

    /** See {@link Backend#isResident}: true when the host must synchronize() before touching {@code t}. */
    public boolean isResident(Tensor t) {
        return live().isResident(t);
    }

    /** {@code dst = src}: same element count, not overlapping unless identical (then nothing happens). */
    public void copy(Tensor src, Tensor dst) {
        requireSameSize("dst", dst, "src", src);
        if (sameMemory(src.segment(), dst.segment())) {
            return;
        }
        requireDistinct("dst", dst, "src", src, "copy");
        live().copy(src, dst);
    }

    /** {@code x[i] = value} everywhere. */
    public void fill(Tensor x, float value) {
        live().fill(x, value);
    }

    // ---------------------------------------------------------------- kernels

    /**
     * {@code C = alpha * op(A) op(B) + beta * C}, sizes taken from the tensors.
     * A (m,k) or (k,m) when transA; B (k,n) or (n,k) when transB; C (m,n).
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

    /** x (R,C), bias (C) or null -> y = act(x + bias). */
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        requireSameShape("y", y, "x", x);
        if (bias != null && bias.size() != x.cols()) {
            throw new IllegalArgumentException("bias " + bias.shapeString() + " does not match the " + x.cols()
                    + " columns of x " + x.shapeString());
        }
        live().biasActivation(x, bias, act, y);
    }

    public void activation(Activation act, Tensor x, Tensor y) {
        biasActivation(x, null, act, y);
    }

    /** dx = dy * act'(.), relu from x, sigmoid/tanh from y. */
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        requireSameShape("dx", dx, "dy", dy);
        if (act == Activation.RELU) {
            requireSameShape("x", x, "dy", dy);
        } else if (act != Activation.IDENTITY) {
            requireSameShape("y", y, "dy", dy);
        }
        live().activationBackward(act, x, y, dy, dx);
    }

    public void axpy(float alpha, Tensor x, Tensor y) {
        requireSameSize("y", y, "x", x);
        live().axpy(alpha, x, y);
    }

    public void scale(float alpha, Tensor x) {
        live().scale(alpha, x);
    }

    /** x (R,C) -> out (C): out = beta * out + column sums of x. */
    public void columnSums(Tensor x, float beta, Tensor out) {
        if (out.size() != x.cols()) {
            throw new IllegalArgumentException("column sums of x " + x.shapeString() + " need out of " + x.cols()
                    + " elements, got " + out.shapeString());
        }
        live().columnSums(x, beta, out);
    }

    public void softmaxRows(Tensor x, Tensor y) {
        requireSameShape("y", y, "x", x);
        live().softmaxRows(x, y);
    }

    public void logSoftmaxRows(Tensor x, Tensor y) {
        requireSameShape("y", y, "x", x);
        live().logSoftmaxRows(x, y);
    }

    /**
     * Fused softmax + cross-entropy: returns the summed row losses, writes probs and (if not null)
     * dlogits = (probs - onehot) * gradScale. Labels are class indices stored as floats; they are
     * checked here unless they lie in an asynchronous backend's own memory (see {@link #softmaxCrossEntropyMean}).
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

    /** logits (B,C), labels (B) -> count (1): rows whose first largest logit is at the label. */
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
