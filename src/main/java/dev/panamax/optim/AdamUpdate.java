package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

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

    /**
     * One step over one parameter, in float32: {@code p = p * decayFactor} first when decayFactor != 1 (AdamW);
     * {@code g' = wd != 0 ? fma(p, wd, g) : g} (Adam's L2); {@code m = fma(g', oneMinusBeta1, m * beta1);
     * v = fma(oneMinusBeta2 * g', g', v * beta2)}; with amsgrad (max_exp_avg_sq present) {@code vmax = max(vmax, v)}
     * stands for v below; {@code denom = sqrt(v) / bc2Sqrt + eps; p = p + (negStepSize * m) / denom}.
     */
    public static final UpdateRule UPDATE = new UpdateRule("torch.optim.Adam",
            List.of("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), Set.of("max_exp_avg_sq"),
            List.of("decayFactor", "weightDecay", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "negStepSize",
                    "bc2Sqrt", "eps")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            Tensor p = t[0];
            Tensor g = t[1];
            Tensor m = t[2];
            Tensor v = t[3];
            Tensor vmax = t[4];
            float decayFactor = s[0];
            float weightDecay = s[1];
            float beta1 = s[2];
            float oneMinusBeta1 = s[3];
            float beta2 = s[4];
            float oneMinusBeta2 = s[5];
            float negStepSize = s[6];
            float bc2Sqrt = s[7];
            float eps = s[8];
            for (long i = 0; i < p.size(); i++) {
                float pi = p.get(i);
                if (decayFactor != 1f) {
                    pi = pi * decayFactor;
                }
                float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
                float mi = Math.fma(gi, oneMinusBeta1, m.get(i) * beta1);
                float vi = Math.fma(oneMinusBeta2 * gi, gi, v.get(i) * beta2);
                m.set(i, mi);
                v.set(i, vi);
                if (vmax != null) {
                    vi = Math.max(vmax.get(i), vi);
                    vmax.set(i, vi);
                }
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                p.set(i, pi + (negStepSize * mi) / denom);
            }
        }
    };
    private final double lr;
    private final double beta1;
    private final double beta2;
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
        Tensor[] expAvg = newState("exp_avg", 0f);
        Tensor[] expAvgSq = newState("exp_avg_sq", 0f);
        Tensor[] maxExpAvgSq = amsgrad ? newState("max_exp_avg_sq", 0f) : null;
        this.beta1F = (float) beta1;
        this.beta2F = (float) beta2;
        // in double, rounded once: 1f - 0.999f = 0.0009999871f but (float) (1 - 0.999) = 0.001f
        this.oneMinusBeta1 = (float) (1 - beta1);
        this.oneMinusBeta2 = (float) (1 - beta2);
        this.eps = (float) eps;
        this.l2WeightDecay = (float) l2WeightDecay;
        this.decayFactor = (float) (1 - lr * decoupledWeightDecay);
        useRule(UPDATE, expAvg, expAvgSq, maxExpAvgSq);
    }

    @Override
    protected final void update(long t) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float[] s = ruleScalars();
        s[0] = decayFactor;
        s[1] = l2WeightDecay;
        s[2] = beta1F;
        s[3] = oneMinusBeta1;
        s[4] = beta2F;
        s[5] = oneMinusBeta2;
        s[6] = (float) (-(lr / biasCorrection1));
        s[7] = (float) Math.sqrt(biasCorrection2);
        s[8] = eps;
        applyRule();
    }
}
