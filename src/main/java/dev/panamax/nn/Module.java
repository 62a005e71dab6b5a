package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;

import java.util.Map;

/** A layer or a network: records its forward pass on a graph and names its parameters as PyTorch does. */
public interface Module {

    /**
     * Records this module's computation on {@code graph} and returns the output variable.
     *
     * @param graph the graph to record on (its forward runs at once)
     * @param x     the input, e.g. (B, in) for a {@link Linear}
     * @return the output variable, owned by {@code graph}
     */
    Variable forward(Graph graph, Variable x);

    /**
     * Parameters in registration order, keyed by PyTorch's names relative to this module ("weight", "0.bias").
     *
     * @return the parameters by name; empty for a module without any
     */
    Map<String, Variable> namedParameters();

    /** Forgets every parameter's accumulated gradient. */
    default void zeroGrad() {
        for (Variable p : namedParameters().values()) {
            p.zeroGrad();
        }
    }
}
