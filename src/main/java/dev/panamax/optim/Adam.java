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

    /** Adam's hyperparameters (betas = (beta1, beta2)); {@link #defaults()} are PyTorch's. */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
            implements OptimizerConfig {

        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 0, false);
        }

        public Config withLr(double value) {
            return new Config(value, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Config withBetas(double b1, double b2) {
            return new Config(lr, b1, b2, eps, weightDecay, amsgrad);
        }

        public Config withEps(double value) {
            return new Config(lr, beta1, beta2, value, weightDecay, amsgrad);
        }

        public Config withWeightDecay(double value) {
            return new Config(lr, beta1, beta2, eps, value, amsgrad);
        }

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

    public Adam(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute, config.lr(), config.beta1(), config.beta2(), config.eps(),
                config.weightDecay(), 0, config.amsgrad());
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "Adam";
    }
}
