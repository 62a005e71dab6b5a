package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * ADADELTA (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701) as
 * {@code torch.optim.Adadelta} in PyTorch 1.13 (https://pytorch.org/docs/1.13/generated/torch.optim.Adadelta.html):
 *
 * <pre>
 * g          = g + weight_decay * p                            (if weight_decay != 0)
 * square_avg = rho * square_avg + (1 - rho) * g * g
 * delta      = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g   (acc_delta of the previous step)
 * acc_delta  = rho * acc_delta + (1 - rho) * delta * delta
 * p          = p - lr * delta
 * </pre>
 * eps sits inside both square roots; the default lr = 1 is Zeiler's learning-rate-free method.
 * States: {@code square_avg}, {@code acc_delta}.
 */
public final class Adadelta extends Optimizer {

    /**
     * One step over one parameter, in float32: {@code g' = wd != 0 ? fma(p, wd, g) : g;
     * sq = fma(oneMinusRho * g', g', sq * rho); delta = sqrt(acc + eps) / sqrt(sq + eps) * g';
     * acc = fma(oneMinusRho * delta, delta, acc * rho); p = fma(delta, negLr, p)}, sqrt correctly rounded.
     */
    public static final UpdateRule UPDATE = new UpdateRule("torch.optim.Adadelta",
            List.of("param", "grad", "square_avg", "acc_delta"), Set.of(),
            List.of("weightDecay", "rho", "oneMinusRho", "eps", "negLr")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            Tensor p = t[0];
            Tensor g = t[1];
            Tensor squareAvg = t[2];
            Tensor accDelta = t[3];
            float weightDecay = s[0];
            float rho = s[1];
            float oneMinusRho = s[2];
            float eps = s[3];
            float negLr = s[4];
            for (long i = 0; i < p.size(); i++) {
                float pi = p.get(i);
                float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
                float sq = Math.fma(oneMinusRho * gi, gi, squareAvg.get(i) * rho);
                squareAvg.set(i, sq);
                float std = (float) Math.sqrt(sq + eps);
                float acc = accDelta.get(i);
                float delta = (float) Math.sqrt(acc + eps) / std * gi;
                accDelta.set(i, Math.fma(oneMinusRho * delta, delta, acc * rho));
                p.set(i, Math.fma(delta, negLr, pi));
            }
        }
    };

    /**
     * Adadelta's hyperparameters; {@link #defaults()} are PyTorch's. Checked by {@link #validate()}, which
     * the optimizer's constructor calls.
     *
     * @param lr          the factor of the update, {@code >= 0} (default 1.0)
     * @param rho         the decay of both running averages, in [0, 1] (default 0.9)
     * @param eps         added inside both square roots, {@code >= 0} (default 1e-6)
     * @param weightDecay the L2 penalty added to the gradient, {@code >= 0} (torch's {@code weight_decay}, default 0)
     */
    public record Config(double lr, double rho, double eps, double weightDecay) implements OptimizerConfig {

        /**
         * PyTorch's defaults.
         *
         * @return the default config
         */
        public static Config defaults() {
            return new Config(1.0, 0.9, 1e-6, 0);
        }

        /**
         * This config with {@code lr} replaced.
         *
         * @param value the factor of the update
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withLr(double value) {
            return new Config(value, rho, eps, weightDecay);
        }

        /**
         * This config with {@code rho} replaced.
         *
         * @param value the decay of the averages
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withRho(double value) {
            return new Config(lr, value, eps, weightDecay);
        }

        /**
         * This config with {@code eps} replaced.
         *
         * @param value the epsilon inside the square roots
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withEps(double value) {
            return new Config(lr, rho, value, weightDecay);
        }

        /**
         * This config with {@code weightDecay} replaced.
         *
         * @param value the L2 penalty
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withWeightDecay(double value) {
            return new Config(lr, rho, eps, value);
        }

        @Override
        public String optimizerName() {
            return "Adadelta";
        }

        @Override
        public void validate() {
            Hyperparameters.atLeastZero("Adadelta", "lr", lr);
            Hyperparameters.closed("Adadelta", "rho", rho, 0, 1);
            Hyperparameters.atLeastZero("Adadelta", "eps", eps);
            Hyperparameters.atLeastZero("Adadelta", "weight_decay", weightDecay);
        }

        @Override
        public Adadelta create(List<Parameter> parameters, Compute compute) {
            return new Adadelta(parameters, compute, this);
        }
    }

    private final Config config;
    private final float weightDecay;
    private final float rho;
    private final float oneMinusRho;
    private final float eps;
    private final float negLr;

    /**
     * An optimizer over {@code parameters}, its state allocated (and initialised) now.
     *
     * @param parameters the parameters to update, at least one, names unique
     * @param compute    the kernels the updates run on; not owned
     * @param config     the hyperparameters, validated before anything is allocated
     * @throws IllegalArgumentException if a hyperparameter is out of range, or the parameters are empty or
     *         repeat a name
     */
    public Adadelta(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        Tensor[] squareAvg = newState("square_avg", 0f);
        Tensor[] accDelta = newState("acc_delta", 0f);
        this.weightDecay = (float) config.weightDecay();
        this.rho = (float) config.rho();
        this.oneMinusRho = (float) (1 - config.rho()); // in double: 1f - 0.9f would differ in the last bit
        this.eps = (float) config.eps();
        this.negLr = (float) (-config.lr());
        useRule(UPDATE, squareAvg, accDelta);
    }

    /**
     * The hyperparameters this optimizer was built with.
     *
     * @return the config
     */
    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "Adadelta";
    }

    @Override
    protected void update(long t) {
        float[] s = ruleScalars();
        s[0] = weightDecay;
        s[1] = rho;
        s[2] = oneMinusRho;
        s[3] = eps;
        s[4] = negLr;
        applyRule();
    }
}
