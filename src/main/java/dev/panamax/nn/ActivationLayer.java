package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.backend.Activation;

import java.util.Map;

/** A parameter-free activation layer ({@code torch.nn.ReLU}, {@code Sigmoid}, {@code Tanh}). */
public final class ActivationLayer implements Module {
    private final Activation activation;

    /**
     * A layer that applies {@code activation} elementwise.
     *
     * @param activation the function; {@link Activation#IDENTITY} passes its input through
     */
    public ActivationLayer(Activation activation) {
        this.activation = activation;
    }

    /**
     * The function this layer applies.
     *
     * @return the activation
     */
    public Activation activation() {
        return activation;
    }

    @Override
    public Variable forward(Graph graph, Variable x) {
        return graph.activation(activation, x);
    }

    @Override
    public Map<String, Variable> namedParameters() {
        return Map.of();
    }

    @Override
    public String toString() {
        return switch (activation) {
            case RELU -> "ReLU()";
            case SIGMOID -> "Sigmoid()";
            case TANH -> "Tanh()";
            case IDENTITY -> "Identity()";
        };
    }
}
