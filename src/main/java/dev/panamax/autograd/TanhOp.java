package dev.panamax.autograd;

import dev.panamax.backend.Activation;

/** Tanh: {@code y = tanh(x)}; {@code dx = dy * (1 - y^2)}, from the output as torch computes it. x and y have the same shape. */
final class TanhOp extends ActivationOp {
    TanhOp(Graph graph, Variable x) {
        super(graph, x, Activation.TANH);
    }
}
