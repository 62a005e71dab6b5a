package dev.panamax.optim;

import dev.panamax.autograd.Variable;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.Objects;

/**
 * A trainable tensor and its gradient buffer, under a name unique within a model
 * (for example {@code fc1.weight}). The optimizer reads {@code grad} and updates {@code value} in place.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    /**
     * A parameter over tensors that stay their owner's (a module's).
     *
     * @param name  the name state is keyed by, non-empty
     * @param value the tensor updated in place
     * @param grad  the gradient read by each step, value's shape
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is empty or the shapes differ
     */
    public Parameter(String name, Tensor value, Tensor grad) {
        this.name = Objects.requireNonNull(name, "parameter name");
        this.value = Objects.requireNonNull(value, () -> "value of parameter " + name);
        this.grad = Objects.requireNonNull(grad, () -> "grad of parameter " + name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must not be empty");
        }
        if (!value.sameShape(grad)) {
            throw new IllegalArgumentException("parameter " + name + ": grad " + grad.shapeString()
                    + " must have the shape of the value " + value.shapeString());
        }
    }

    /**
     * The parameters of a module under their PyTorch names ("0.weight", ...), in registration order,
     * sharing the module's value and gradient tensors.
     *
     * @param module the model; each of its parameters must require a gradient
     * @return one parameter per entry of {@link Module#namedParameters()}
     */
    public static List<Parameter> of(Module module) {
        List<Parameter> out = new ArrayList<>();
        for (Map.Entry<String, Variable> e : module.namedParameters().entrySet()) {
            out.add(new Parameter(e.getKey(), e.getValue().value(), e.getValue().grad()));
        }
        return out;
    }

    /**
     * The name state is keyed by.
     *
     * @return the name, e.g. {@code 0.weight}
     */
    public String name() {
        return name;
    }

    /**
     * The tensor the optimizer updates.
     *
     * @return the value
     */
    public Tensor value() {
        return value;
    }

    /**
     * The gradient the optimizer reads.
     *
     * @return the gradient, value's shape
     */
    public Tensor grad() {
        return grad;
    }

    @Override
    public String toString() {
        return "Parameter[" + name + " " + value.shapeString() + "]";
    }
}
