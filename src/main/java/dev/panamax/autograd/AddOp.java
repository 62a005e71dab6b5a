package dev.panamax.autograd;

import dev.panamax.backend.Compute;

/** Elementwise sum of two tensors of one shape: {@code y = a + b}; {@code da = dy}, {@code db = dy}. */
final class AddOp extends Op {
    private final Variable a;
    private final Variable b;

    AddOp(Graph graph, Variable a, Variable b) {
        super(graph.newOutput("add", a.value().shape(), a, b));
        requireSameShape("add", a, b);
        this.a = a;
        this.b = b;
    }

    @Override
    protected void forward(Compute compute) {
        compute.copy(a.value(), output.value());
        compute.axpy(1f, b.value(), output.value());
    }

    @Override
    protected void backward(Compute compute) {
        if (a.requiresGrad()) {
            contribute(compute, a, output.gradStorage(), 1f);
        }
        if (b.requiresGrad()) {
            contribute(compute, b, output.gradStorage(), 1f);
        }
    }
}
