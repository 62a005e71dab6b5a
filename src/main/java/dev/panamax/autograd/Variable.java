package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorAllocator;

import java.lang.foreign.Arena;

/**
 * A node of the autograd graph: a value tensor and, when it requires a gradient, a gradient tensor
 * of the same shape allocated once and reused for every backward pass.
 *
 * <p>Gradients accumulate, as in PyTorch: each backward pass adds into {@link #grad()} until
 * {@link #zeroGrad()}. Zeroing is lazy: it only marks the gradient as holding no contribution, and
 * the next contribution overwrites instead of adding. That spares a pass over memory per step.
 *
 * <p>Leaves are made here ({@link #parameter}, {@link #constant}); every other variable is an op's output,
 * made by a {@link Graph} and owned by it. A variable is not thread-safe.
 */
public final class Variable {
    private final String name;
    private Tensor value;
    private final Tensor grad;
    /** True while {@link #grad} holds no contribution (its bytes are stale and must not be read). */
    private boolean gradEmpty = true;
    /** True while {@link #grad} holds only the seed 1 of a backward pass started here. */
    private boolean gradSeed;
    /** The seed's value while {@link #gradSeed} holds: d loss / d loss, 1 unless backward was given a weight. */
    private float seedValue = 1f;

    Variable(String name, Tensor value, Tensor grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    /**
     * A leaf that requires a gradient (a parameter): the gradient is allocated in host memory owned by
     * {@code owner}.
     *
     * @param name  the name used in messages and state dicts
     * @param value the parameter's tensor, still owned by the caller
     * @param owner the arena that owns the gradient (usually the value's)
     * @return the leaf, with a gradient of the value's shape
     */
    public static Variable parameter(String name, Tensor value, Arena owner) {
        return parameter(name, value, owner, TensorAllocator.HOST);
    }

    /**
     * {@link #parameter(String, Tensor, Arena)} with the gradient from {@code memory} (a Compute for device memory).
     *
     * @param name   the name used in messages and state dicts
     * @param value  the parameter's tensor, still owned by the caller
     * @param owner  the arena that owns the gradient
     * @param memory where the gradient is allocated
     * @return the leaf, with a gradient of the value's shape
     */
    public static Variable parameter(String name, Tensor value, Arena owner, TensorAllocator memory) {
        return new Variable(name, value, memory.allocate(owner, value.shape()));
    }

    /**
     * A leaf without gradient (inputs, targets).
     *
     * @param name  the name used in messages
     * @param value the tensor, still owned by the caller
     * @return the leaf
     */
    public static Variable constant(String name, Tensor value) {
        return new Variable(name, value, null);
    }

    /**
     * The name given at creation; an op's output is named after the op and a counter, e.g. {@code linear#0}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The value tensor (for an op's output, the one each forward overwrites).
     *
     * @return the current value
     */
    public Tensor value() {
        return value;
    }

    /**
     * Points an input leaf at another tensor of the same shape (for example the other buffer of a
     * double-buffered batch loader); operations read their inputs when they run, so no rebuild is needed.
     *
     * @param newValue the tensor read from now on, of the current value's shape; still owned by the caller
     * @throws IllegalStateException if this variable requires a gradient
     * @throws IllegalArgumentException if the shape differs
     */
    public void setValue(Tensor newValue) {
        if (grad != null) {
            throw new IllegalStateException("cannot re-point " + name + ": it requires a gradient");
        }
        if (!newValue.sameShape(value)) {
            throw new IllegalArgumentException("cannot re-point " + name + " " + value.shapeString() + " to "
                    + newValue.shapeString());
        }
        this.value = newValue;
    }

    /**
     * Whether this variable has a gradient buffer: a parameter, or an op's output in a grad-enabled graph
     * that depends on one.
     *
     * @return true when {@link #grad()} may be called
     */
    public boolean requiresGrad() {
        return grad != null;
    }

    /**
     * The accumulated gradient (zeros when nothing was accumulated since {@link #zeroGrad()}). The zeros
     * are written on the host: with an asynchronous backend use {@link #grad(Compute)}, or synchronize first.
     *
     * @return the gradient tensor, the value's shape; reused by every backward pass
     * @throws IllegalStateException if this variable does not require a gradient
     */
    public Tensor grad() {
        if (grad == null) {
            throw new IllegalStateException(name + " does not require a gradient");
        }
        if (gradEmpty) {
            grad.fill(0f);
            gradEmpty = false;
        }
        return grad;
    }

    /**
     * {@link #grad()} with the zeros written by {@code compute}, for gradients in a backend's memory.
     *
     * @param compute the backend that writes the zeros, when there is nothing accumulated
     * @return the gradient tensor
     * @throws IllegalStateException if this variable does not require a gradient
     */
    public Tensor grad(Compute compute) {
        if (grad == null) {
            throw new IllegalStateException(name + " does not require a gradient");
        }
        if (gradEmpty) {
            compute.fill(grad, 0f);
            gradEmpty = false;
        }
        return grad;
    }

    /** Forgets the accumulated gradient (lazily: no pass over memory). */
    public void zeroGrad() {
        gradEmpty = true;
        gradSeed = false;
    }

    /**
     * For ops' backward: the gradient tensor to contribute to, and whether the contribution must be
     * added (true) or may overwrite (false, the first contribution since zeroGrad).
     */
    boolean claimGrad() {
        boolean accumulate = !gradEmpty;
        gradEmpty = false;
        gradSeed = false;
        return accumulate;
    }

    /** Marks the gradient as the seed {@code value} of a backward pass (the caller writes it). */
    void seedGrad(float value) {
        gradEmpty = false;
        gradSeed = true;
        seedValue = value;
    }

    /** True when the gradient is a backward pass's seed, untouched since. */
    boolean gradIsSeed() {
        return gradSeed;
    }

    /** The seed's value, meaningful while {@link #gradIsSeed()}. */
    float seedValue() {
        return seedValue;
    }

    /** True when nothing has been contributed to the gradient since the last zeroGrad. */
    boolean gradIsEmpty() {
        return gradEmpty;
    }

    /** Raw gradient storage for ops, read only after {@link #claimGrad()}. */
    Tensor gradStorage() {
        return grad;
    }

    @Override
    public String toString() {
        return name + value.shapeString() + (grad != null ? " (grad)" : "");
    }
}
