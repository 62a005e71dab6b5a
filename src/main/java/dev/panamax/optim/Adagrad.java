package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Adagrad (Duchi, Hazan and Singer, "Adaptive Subgradient Methods", JMLR 2011) as
 * {@code torch.optim.Adagrad} in PyTorch 1.13 (https://pytorch.org/docs/1.13/generated/torch.optim.Adagrad.html):
 *
 * <pre>
 * sum_0 = initial_accumulator_value
 * g   = g + weight_decay * p                 (if weight_decay != 0)
 * clr = lr / (1 + (t - 1) * lr_decay)        (double)
 * sum = sum + g * g
 * p   = p - clr * g / (sqrt(sum) + eps)      (eps outside the square root)
 * </pre>
 * State: {@code sum}.
 */
public final class Adagrad extends Optimizer {

    /**
     * One step over one parameter, in float32: {@code g' = wd != 0 ? fma(p, wd, g) : g; sum = fma(g', g', sum);
     * p = p + (negClr * g') / (sqrt(sum) + eps)}, sqrt correctly rounded.
     */
    public static final UpdateRule UPDATE = new UpdateRule("torch.optim.Adagrad",
            List.of("param", "grad", "sum"), Set.of(), List.of("weightDecay", "negClr", "eps")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            Tensor p = t[0];
            Tensor g = t[1];
            Tensor sum = t[2];
            float weightDecay = s[0];
            float negClr = s[1];
            float eps = s[2];
            for (long i = 0; i < p.size(); i++) {
                float pi = p.get(i);
                float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
                float sq = Math.fma(gi, gi, sum.get(i));
                sum.set(i, sq);
                float std = (float) Math.sqrt(sq) + eps;
                p.set(i, pi + (negClr * gi) / std);
            }
        }
    };

    /**
     * Adagrad's hyperparameters; {@link #defaults()} are PyTorch's. Checked by {@link #validate()}, which the
     * optimizer's constructor calls.
     *
     * @param lr                      the learning rate, {@code >= 0} (default 0.01)
     * @param lrDecay                 the learning-rate decay, {@code >= 0} (torch's {@code lr_decay}, default 0)
     * @param weightDecay             the L2 penalty added to the gradient, {@code >= 0} (torch's
     *                                {@code weight_decay}, default 0)
     * @param initialAccumulatorValue the starting value of {@code sum}, {@code >= 0} (torch's
     *                                {@code initial_accumulator_value}, default 0)
     * @param eps                     added to the denominator, outside the square root, {@code >= 0} (default 1e-10)
     */
    public record Config(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps)
            implements OptimizerConfig {

        /**
         * PyTorch's defaults.
         *
         * @return the default config
         */
        public static Config defaults() {
            return new Config(0.01, 0, 0, 0, 1e-10);
        }

        /**
         * This config with {@code lr} replaced.
         *
         * @param value the learning rate
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withLr(double value) {
            return new Config(value, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        /**
         * This config with {@code lrDecay} replaced.
         *
         * @param value the learning-rate decay
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withLrDecay(double value) {
            return new Config(lr, value, weightDecay, initialAccumulatorValue, eps);
        }

        /**
         * This config with {@code weightDecay} replaced.
         *
         * @param value the L2 penalty
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withWeightDecay(double value) {
            return new Config(lr, lrDecay, value, initialAccumulatorValue, eps);
        }

        /**
         * This config with {@code initialAccumulatorValue} replaced.
         *
         * @param value the starting value of the accumulator
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withInitialAccumulatorValue(double value) {
            return new Config(lr, lrDecay, weightDecay, value, eps);
        }

        /**
         * This config with {@code eps} replaced.
         *
         * @param value the denominator's epsilon
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withEps(double value) {
            return new Config(lr, lrDecay, weightDecay, initialAccumulatorValue, value);
        }

        @Override
        public String optimizerName() {
            return "Adagrad";
        }

        @Override
        public void validate() {
            Hyperparameters.atLeastZero("Adagrad", "lr", lr);
            Hyperparameters.atLeastZero("Adagrad", "lr_decay", lrDecay);
            Hyperparameters.atLeastZero("Adagrad", "weight_decay", weightDecay);
            Hyperparameters.atLeastZero("Adagrad", "initial_accumulator_value", initialAccumulatorValue);
            Hyperparameters.atLeastZero("Adagrad", "eps", eps);
        }

        @Override
        public Adagrad create(List<Parameter> parameters, Compute compute) {
            return new Adagrad(parameters, compute, this);
        }
    }

    private final Config config;
    private final float weightDecay;
    private final float eps;

    /**
     * An optimizer over {@code parameters}, its state allocated (and initialised) now.
     *
     * @param parameters the parameters to update, at least one, names unique
     * @param compute    the kernels the updates run on; not owned
     * @param config     the hyperparameters, validated before anything is allocated
     * @throws IllegalArgumentException if a hyperparameter is out of range, or the parameters are empty or
     *         repeat a name
     */
    public Adagrad(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        Tensor[] sum = newState("sum", (float) config.initialAccumulatorValue());
        this.weightDecay = (float) config.weightDecay();
        this.eps = (float) config.eps();
        useRule(UPDATE, sum);
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
        return "Adagrad";
    }

    @Override
    protected void update(long t) {
        double clr = config.lr() / (1 + (t - 1) * config.lrDecay());
        float[] s = ruleScalars();
        s[0] = weightDecay;
        s[1] = (float) (-clr);
        s[2] = eps;
        applyRule();
    }
}
