package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Row-wise softmax, {@code torch.softmax(x, dim=1)}:
 * {@code y_ij = exp(x_ij) / sum_k exp(x_ik)}; {@code dx_ij = y_ij (dy_ij - sum_k dy_ik y_ik)}.
 * x, y (R,C).
 */
final class SoftmaxOp extends Op {
    private final Variable x;

    SoftmaxOp(Graph graph, Variable x) {
        super(graph.newOutput("softmax", x.value().shape(), x));
        this.x = x;
    }

    @Override
    protected void forward(Compute compute) {
        compute.softmaxRows(x.value(), output.value());
    }

    @Override
    protected void backward(Compute compute) {
        if (!x.requiresGrad()) {
            return;
        }
        beginHostCompute(compute);
        Tensor y = output.value();
        Tensor dy = output.gradStorage();
        boolean acc = x.claimGrad();
        Tensor dx = x.gradStorage();
        int rows = y.rows();
        int cols = y.cols();
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) dy.get(base + j) * y.get(base + j);
            }
            for (int j = 0; j < cols; j++) {
                contribute(dx, acc, base + j, (float) (y.get(base + j) * (dy.get(base + j) - dot)));
            }
        }
    }
}
