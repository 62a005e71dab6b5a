package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

import java.util.List;

/**
 * The update shared by {@link Adam} and {@link AdamW}, which differ only in how weight decay enters:
 * Adam adds it to the gradient (L2, coupled), AdamW shrinks the parameter first (decoupled).
 *
 * <pre>
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v) and v := vmax                                 (amsgrad)
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * States: {@code exp_avg}, {@code exp_avg_sq}, plus {@code max_exp_avg_sq} with amsgrad.
 */
abstract class AdamUpdate extends Optimizer {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final Tensor[] maxExpAvgSq;
    private final float beta1F;
    private final float beta2F;
    private final float oneMinusBeta1;
    private final float oneMinusBeta2;
    private final float eps;
    private final float l2WeightDecay;
    private final float decayFactor;

    /** The hyperparameter checks Adam and AdamW share; {@code name} is the optimizer named in errors. */
    static void validate(String name, double lr, double beta1, double beta2, double eps, double weightDecay) {
        Hyperparameters.atLeastZero(name, "lr", lr);
        Hyperparameters.halfOpen(name, "beta1 (betas[0])", beta1, 0, 1);
        Hyperparameters.halfOpen(name, "beta2 (betas[1])", beta2, 0, 1);
        Hyperparameters.atLeastZero(name, "eps", eps);
        Hyperparameters.atLeastZero(name, "weight_decay", weightDecay);
    }

    AdamUpdate(List<Parameter> parameters, Compute compute, double lr, double beta1, double beta2, double eps,
               double l2WeightDecay, double decoupledWeightDecay, boolean amsgrad) {
        super(parameters, compute);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.expAvg = newState("exp_avg", 0f);
        this.expAvgSq = newState("exp_avg_sq", 0f);
        this.maxExpAvgSq = amsgrad ? newState("max_exp_avg_sq", 0f) : null;
        this.beta1F = (float) beta1;
        this.beta2F = (float) beta2;
        // in double, rounded once: 1f - 0.999f = 0.0009999871f but (float) (1 - 0.999) = 0.001f
        this.oneMinusBeta1 = (float) (1 - beta1);
        this.oneMinusBeta2 = (float) (1 - beta2);
        this.eps = (float) eps;
        this.l2WeightDecay = (float) l2WeightDecay;
        this.decayFactor = (float) (1 - lr * decoupledWeightDecay);
    }

    @Override
    protected final void update(long t) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) (-(lr / biasCorrection1));
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        for (int i = 0; i < params.length; i++) {
            compute.adamStep(params[i].value(), params[i].grad(), expAvg[i], expAvgSq[i],
                    maxExpAvgSq == null ? null : maxExpAvgSq[i], decayFactor, l2WeightDecay,
                    beta1F, oneMinusBeta1, beta2F, oneMinusBeta2, negStepSize, bc2Sqrt, eps);
        }
    }
}
