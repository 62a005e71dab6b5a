package dev.panamax.optim;

import dev.panamax.backend.Compute;

import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; amsgrad from Reddi
 * et al., "On the Convergence of Adam and Beyond", ICLR 2018) as {@code torch.optim.Adam} in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html). Weight decay is L2, added to the gradient:
 *
 * <pre>
 * g = g + weight_decay * p                                          (if weight_decay != 0)
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v) and v := vmax                                 (amsgrad)
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * States: {@code exp_avg}, {@code exp_avg_sq}, plus {@code max_exp_avg_sq} with amsgrad.
 */
public final class Adam extends AdamUpdate {

    /**
     * Adam's hyperparameters (betas = (beta1, beta2)); {@link #defaults()} are PyTorch's. Checked by {@link
     * #validate()}, which the optimizer's constructor calls.
     *
     * @param lr          the learning rate, {@code >= 0} (default 1e-3)
     * @param beta1       the decay of the first-moment average, in [0, 1) (torch's {@code betas[0]}, default 0.9)
     * @param beta2       the decay of the second-moment average, in [0, 1) (torch's {@code betas[1]}, default 0.999)
     * @param eps         added to the denominator, {@code >= 0} (default 1e-8)
     * @param weightDecay the L2 penalty added to the gradient, {@code >= 0} (torch's {@code weight_decay}, default 0)
     * @param amsgrad     whether to divide by the running maximum of the second moment (default false)
     */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
            implements OptimizerConfig {

        /**
         * PyTorch's defaults.
         *
         * @return the default config
         */
        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 0, false);
        }

        /**
         * This config with {@code lr} replaced.
         *
         * @param value the learning rate
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withLr(double value) {
            return new Config(value, beta1, beta2, eps, weightDecay, amsgrad);
        }

        /**
         * This config with both betas replaced (torch's {@code betas=(b1, b2)}).
         *
         * @param b1 the decay of the first-moment average
         * @param b2 the decay of the second-moment average
         * @return a new config; the values are checked by {@link #validate()}
         */
        public Config withBetas(double b1, double b2) {
            return new Config(lr, b1, b2, eps, weightDecay, amsgrad);
        }

        /**
         * This config with {@code eps} replaced.
         *
         * @param value the denominator's epsilon
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withEps(double value) {
            return new Config(lr, beta1, beta2, value, weightDecay, amsgrad);
        }

        /**
         * This config with {@code weightDecay} replaced.
         *
         * @param value the L2 penalty
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withWeightDecay(double value) {
            return new Config(lr, beta1, beta2, eps, value, amsgrad);
        }

        /**
         * This config with {@code amsgrad} replaced.
         *
         * @param value whether to use amsgrad
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withAmsgrad(boolean value) {
            return new Config(lr, beta1, beta2, eps, weightDecay, value);
        }

        @Override
        public String optimizerName() {
            return "Adam";
        }

        @Override
        public void validate() {
            AdamUpdate.validate("Adam", lr, beta1, beta2, eps, weightDecay);
        }

        @Override
        public Adam create(List<Parameter> parameters, Compute compute) {
            return new Adam(parameters, compute, this);
        }
    }

    private final Config config;

    /**
     * An optimizer over {@code parameters}, its state allocated (and initialised) now.
     *
     * @param parameters the parameters to update, at least one, names unique
     * @param compute    the kernels the updates run on; not owned
     * @param config     the hyperparameters, validated before anything is allocated
     * @throws IllegalArgumentException if a hyperparameter is out of range, or the parameters are empty or
     *         repeat a name
     */
    public Adam(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute, config.lr(), config.beta1(), config.beta2(), config.eps(),
                config.weightDecay(), 0, config.amsgrad());
        this.config = config;
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
        return "Adam";
    }
}
