package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/** Elementwise product of two tensors of one shape: {@code y = a * b}; {@code da = dy * b}, {@code db = dy * a}. */
final class MulOp extends Op {
    private final Variable a;
    private final Variable b;

    MulOp(Graph graph, Variable a, Variable b) {
        super(graph.newOutput("mul", a.value().shape(), a, b));
        requireSameShape("mul", a, b);
        this.a = a;
        this.b = b;
    }

    @Override
    protected void forward(Compute compute) {
        beginHostCompute(compute);
        Tensor av = a.value();
        Tensor bv = b.value();
        Tensor y = output.value();
        for (long i = 0; i < y.size(); i++) {
            y.set(i, av.get(i) * bv.get(i));
        }
    }

    @Override
    protected void backward(Compute compute) {
        beginHostCompute(compute);
        Tensor dy = output.gradStorage();
        if (a.requiresGrad()) {
            boolean acc = a.claimGrad();
            for (long i = 0; i < dy.size(); i++) {
                contribute(a.gradStorage(), acc, i, dy.get(i) * b.value().get(i));
            }
        }
        if (b.requiresGrad()) {
            boolean acc = b.claimGrad();
            for (long i = 0; i < dy.size(); i++) {
                contribute(b.gradStorage(), acc, i, dy.get(i) * a.value().get(i));
            }
        }
    }
}
