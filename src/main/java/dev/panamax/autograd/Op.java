package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * One differentiable operation: its forward and its backward together. An op is created once,
 * when the graph is recorded; its output and any scratch buffers are allocated then and reused on
 * every replay, so a training step allocates nothing.
 */
abstract class Op {
    protected final Variable output;

    protected Op(Variable output) {
        this.output = output;
    }

    public Variable output() {
        return output;
    }

    /** Recomputes {@code output.value()} from the inputs' current values. */
    protected abstract void forward(Compute compute);

    /**
     * Adds this op's contribution to the inputs' gradients, given {@code output}'s gradient.
     * Inputs without a gradient are skipped.
     */
    protected abstract void backward(Compute compute);

    /** Contributes {@code scale * src} to {@code in}'s gradient: overwrite if first, else add. */
    protected static void contribute(Compute compute, Variable in, Tensor src, float scale) {
        boolean accumulate = in.claimGrad();
        Tensor grad = in.gradStorage();
        if (accumulate) {
            compute.axpy(scale, src, grad);
        } else {
            compute.copy(src, grad);
            if (scale != 1f) {
                compute.scale(scale, grad);
            }
        }
    }

    /** Contributes {@code value} to element i of a gradient claimed with {@code accumulate}. */
    protected static void contribute(Tensor grad, boolean accumulate, long i, float value) {
        grad.set(i, accumulate ? grad.get(i) + value : value);
    }

    /**
     * The gradient d loss / d output as a scalar, for ops whose output is a scalar. When the output is
     * the loss that backward started from, the value is the seed (1, or the weight given to
     * {@link Graph#backward(Variable, float)}), known without reading memory, so a loss op at the root
     * (cross-entropy in training) costs no synchronisation.
     */
    protected final float outputGradScalar(Compute compute) {
        if (output.gradIsSeed()) {
            return output.seedValue();
        }
        compute.synchronize();
        return output.gradStorage().get(0);
    }

    /**
     * Called by ops that compute on the host (loops over {@link Tensor#get}) before they touch any
     * tensor: an asynchronous backend may still be writing their inputs. A no-op on CPU backends.
     */
    protected static void beginHostCompute(Compute compute) {
        compute.synchronize();
    }

    protected static void requireSameShape(String op, Variable a, Variable b) {
        if (!a.value().sameShape(b.value())) {
            throw new IllegalArgumentException(op + ": " + a.name() + " " + a.value().shapeString() + " and "
                    + b.name() + " " + b.value().shapeString() + " must have the same shape");
        }
    }
}
