package dev.panamax.optim;

import dev.panamax.tensor.Tensor;

import java.util.Objects;

/**
 * A trainable tensor and its gradient buffer, under a name unique within a model
 * (for example {@code fc1.weight}). The optimizer reads {@code grad} and updates {@code value} in place.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

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

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return grad;
    }

    @Override
    public String toString() {
        return "Parameter[" + name + " " + value.shapeString() + "]";
    }
}
