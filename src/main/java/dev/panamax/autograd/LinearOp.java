package dev.panamax.autograd;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Affine map, as {@code torch.nn.functional.linear}: {@code y = x W^T + b}.
 * <pre>
 *   x (B,in), W (out,in), b (out) -> y (B,out)
 *   dx = dy W          (B,out)(out,in)
 *   dW = dy^T x        (out,B)(B,in)
 *   db = sum_rows(dy)
 * </pre>
 * All three GEMMs go through the backend with the transposes folded into the call (no copies);
 * a gradient that already holds a contribution is accumulated with beta = 1.
 */
final class LinearOp extends Op {
    private final Variable x;
    private final Variable w;
    private final Variable b;

    LinearOp(Graph graph, Variable x, Variable w, Variable b) {
        super(graph.newOutput("linear", new int[] {x.value().rows(), w.value().dim(0)}, x, w, b));
        Tensor xv = x.value();
        Tensor wv = w.value();
        if (xv.rank() != 2 || wv.rank() != 2 || xv.dim(1) != wv.dim(1)) {
            throw new IllegalArgumentException("linear: x " + xv.shapeString() + " needs shape (B, in) and weight "
                    + wv.shapeString() + " shape (out, in) with the same in");
        }
        if (b != null && (b.value().size() != wv.dim(0))) {
            throw new IllegalArgumentException("linear: bias " + b.value().shapeString() + " must have "
                    + wv.dim(0) + " elements (weight " + wv.shapeString() + ")");
        }
        this.x = x;
        this.w = w;
        this.b = b;
    }

    @Override
    protected void forward(Compute compute) {
        Tensor y = output.value();
        compute.gemm(false, true, 1f, x.value(), w.value(), 0f, y);
        if (b != null) {
            compute.biasActivation(y, b.value(), Activation.IDENTITY, y);
        }
    }

    @Override
    protected void backward(Compute compute) {
        Tensor dy = output.gradStorage();
        if (x.requiresGrad()) {
            float beta = x.claimGrad() ? 1f : 0f;
            compute.gemm(false, false, 1f, dy, w.value(), beta, x.gradStorage());
        }
        if (w.requiresGrad()) {
            float beta = w.claimGrad() ? 1f : 0f;
            compute.gemm(true, false, 1f, dy, x.value(), beta, w.gradStorage());
        }
        if (b != null && b.requiresGrad()) {
            float beta = b.claimGrad() ? 1f : 0f;
            compute.columnSums(dy, beta, b.gradStorage());
        }
    }
}
