package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Gaussian negative log-likelihood, {@code torch.nn.functional.gaussian_nll_loss(input, target, var,
 * full, eps, reduction='mean')}: the input is the predicted mean, var the predicted variance.
 * <pre>
 *   v      = max(var, eps)                     (clamped without gradient, as torch does)
 *   loss   = (1/N) sum [ 0.5 (log v + (input - target)^2 / v) ] + (full ? 0.5 log(2 pi) : 0)
 *   dinput = dloss * (input - target) / (v N)
 *   dvar   = dloss * 0.5 (1/v - (input - target)^2 / v^2) / N
 * </pre>
 * input, target, var all of one shape; N = their element count. Sums in double.
 */
final class GaussianNllLossOp extends Op {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private final Variable input;
    private final Variable target;
    private final Variable variance;
    private final boolean full;
    private final float eps;

    GaussianNllLossOp(Graph graph, Variable input, Variable target, Variable variance, boolean full, float eps) {
        super(graph.newOutput("gaussian_nll", new int[] {1}, input, target, variance));
        requireSameShape("gaussian_nll", input, target);
        requireSameShape("gaussian_nll", input, variance);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("gaussian_nll: eps must be > 0, got " + eps);
        }
        this.input = input;
        this.target = target;
        this.variance = variance;
        this.full = full;
        this.eps = eps;
    }

    @Override
    protected void forward(Compute compute) {
        beginHostCompute(compute);
        Tensor x = input.value();
        Tensor t = target.value();
        Tensor var = variance.value();
        double acc = 0;
        for (long i = 0; i < x.size(); i++) {
            float vi = var.get(i);
            if (vi < 0) {
                throw new IllegalArgumentException("gaussian_nll: variance has a negative entry " + vi + " at " + i);
            }
            double v = Math.max(vi, eps);
            double d = (double) x.get(i) - t.get(i);
            acc += 0.5 * (Math.log(v) + d * d / v);
        }
        double loss = acc / x.size() + (full ? HALF_LOG_2PI : 0.0);
        output.value().set(0, (float) loss);
    }

    @Override
    protected void backward(Compute compute) {
        beginHostCompute(compute);
        Tensor x = input.value();
        Tensor t = target.value();
        Tensor var = variance.value();
        double scale = outputGradScalar(compute) / (double) x.size();
        boolean accX = input.requiresGrad() && input.claimGrad();
        boolean accT = target.requiresGrad() && target.claimGrad();
        boolean accV = variance.requiresGrad() && variance.claimGrad();
        for (long i = 0; i < x.size(); i++) {
            double v = Math.max(var.get(i), eps);
            double d = (double) x.get(i) - t.get(i);
            float gx = (float) (scale * d / v);
            if (input.requiresGrad()) {
                contribute(input.gradStorage(), accX, i, gx);
            }
            if (target.requiresGrad()) {
                contribute(target.gradStorage(), accT, i, -gx);
            }
            if (variance.requiresGrad()) {
                contribute(variance.gradStorage(), accV, i, (float) (scale * 0.5 * (1 / v - d * d / (v * v))));
            }
        }
    }
}
