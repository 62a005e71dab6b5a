package dev.panamax.autograd;

import dev.panamax.backend.Activation;

/** Sigmoid: {@code y = 1 / (1 + exp(-x))}; {@code dx = dy * y * (1 - y)}, from the output as torch computes it. x and y have the same shape. */
final class SigmoidOp extends ActivationOp {
    SigmoidOp(Graph graph, Variable x) {
        super(graph, x, Activation.SIGMOID);
    }
}
