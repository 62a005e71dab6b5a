package dev.panamax.autograd;

import dev.panamax.backend.Activation;

/** Relu: {@code y = max(x, 0)}; {@code dx = dy} where {@code x > 0}, else 0 (0 at x == 0, as torch). x and y have the same shape. */
final class ReluOp extends ActivationOp {
    ReluOp(Graph graph, Variable x) {
        super(graph, x, Activation.RELU);
    }
}
