package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Row-wise log-softmax, {@code torch.log_softmax(x, dim=1)}:
 * {@code y_ij = x_ij - log sum_k exp(x_ik)}; {@code dx_ij = dy_ij - exp(y_ij) sum_k dy_ik}. x, y (R,C).
 */
final class LogSoftmaxOp extends Op {
    private final Variable x;

    LogSoftmaxOp(Graph graph, Variable x) {
        super(graph.newOutput("log_softmax", x.value().shape(), x));
        this.x = x;
    }

    @Override
    protected void forward(Compute compute) {
        compute.logSoftmaxRows(x.value(), output.value());
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
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += dy.get(base + j);
            }
            for (int j = 0; j < cols; j++) {
                contribute(dx, acc, base + j, (float) (dy.get(base + j) - Math.exp(y.get(base + j)) * sum));
            }
        }
    }
}
