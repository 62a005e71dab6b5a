package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Sum (or mean) of all elements into a scalar [1], accumulated in double:
 * {@code y = sum(x)} with {@code dx = dy}, or {@code y = sum(x) / N} with {@code dx = dy / N}.
 */
final class SumOp extends Op {
    private final Variable x;
    private final boolean mean;

    SumOp(Graph graph, Variable x, boolean mean) {
        super(graph.newOutput(mean ? "mean" : "sum", new int[] {1}, x));
        this.x = x;
        this.mean = mean;
    }

    @Override
    protected void forward(Compute compute) {
        beginHostCompute(compute);
        Tensor xv = x.value();
        double acc = 0;
        for (long i = 0; i < xv.size(); i++) {
            acc += xv.get(i);
        }
        output.value().set(0, (float) (mean ? acc / xv.size() : acc));
    }

    @Override
    protected void backward(Compute compute) {
        if (!x.requiresGrad()) {
            return;
        }
        beginHostCompute(compute);
        long n = x.value().size();
        float g = mean ? (float) (outputGradScalar(compute) / (double) n) : outputGradScalar(compute);
        boolean acc = x.claimGrad();
        Tensor dx = x.gradStorage();
        for (long i = 0; i < n; i++) {
            contribute(dx, acc, i, g);
        }
    }
}
