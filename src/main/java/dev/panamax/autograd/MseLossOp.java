package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Mean squared error, {@code torch.nn.functional.mse_loss(p, t, reduction='mean')}, mean over ALL N elements:
 * {@code loss = (1/N) sum (p - t)^2}; {@code dp = dloss * 2 (p - t) / N}, {@code dt = -dp}.
 * p and t have one shape; the sum is accumulated in double.
 */
final class MseLossOp extends Op {
    private final Variable prediction;
    private final Variable target;

    MseLossOp(Graph graph, Variable prediction, Variable target) {
        super(graph.newOutput("mse", new int[] {1}, prediction, target));
        requireSameShape("mse", prediction, target);
        this.prediction = prediction;
        this.target = target;
    }

    @Override
    protected void forward(Compute compute) {
        beginHostCompute(compute);
        Tensor p = prediction.value();
        Tensor t = target.value();
        double acc = 0;
        for (long i = 0; i < p.size(); i++) {
            double d = (double) p.get(i) - t.get(i);
            acc += d * d;
        }
        output.value().set(0, (float) (acc / p.size()));
    }

    @Override
    protected void backward(Compute compute) {
        beginHostCompute(compute);
        Tensor p = prediction.value();
        Tensor t = target.value();
        double scale = 2.0 * outputGradScalar(compute) / p.size();
        boolean accP = prediction.requiresGrad() && prediction.claimGrad();
        boolean accT = target.requiresGrad() && target.claimGrad();
        for (long i = 0; i < p.size(); i++) {
            float g = (float) (scale * ((double) p.get(i) - t.get(i)));
            if (prediction.requiresGrad()) {
                contribute(prediction.gradStorage(), accP, i, g);
            }
            if (target.requiresGrad()) {
                contribute(target.gradStorage(), accT, i, -g);
            }
        }
    }
}
