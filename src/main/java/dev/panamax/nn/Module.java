package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;

import java.util.Map;

/** A layer or a network: records its forward pass on a graph and names its parameters as PyTorch does. */
public interface Module {

    /** Records this module's computation on {@code graph} and returns the output variable. */
    Variable forward(Graph graph, Variable x);

    /** Parameters in registration order, keyed by PyTorch's names relative to this module ("weight", "0.bias"). */
    Map<String, Variable> namedParameters();

    /** Forgets every parameter's accumulated gradient. */
    default void zeroGrad() {
        for (Variable p : namedParameters().values()) {
            p.zeroGrad();
        }
    }
}
