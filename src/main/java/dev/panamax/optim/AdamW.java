package dev.panamax.optim;

import dev.panamax.backend.Compute;

import java.util.List;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019) as
 * {@code torch.optim.AdamW} in PyTorch 1.13 (https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html):
 * the parameter decays first, then the Adam update runs on the unmodified gradient.
 *
 * <pre>
 * p = p * (1 - lr * weight_decay)
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v) and v := vmax                                 (amsgrad)
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Note the default weight_decay is 0.01 here but 0 for {@link Adam}.
 * States: {@code exp_avg}, {@code exp_avg_sq}, plus {@code max_exp_avg_sq} with amsgrad.
 */
public final class AdamW extends AdamUpdate {

    /** AdamW's hyperparameters (betas = (beta1, beta2)); {@link #defaults()} are PyTorch's. */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
            implements OptimizerConfig {

        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 1e-2, false);
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
            return "AdamW";
        }

        @Override
        public void validate() {
            AdamUpdate.validate("AdamW", lr, beta1, beta2, eps, weightDecay);
        }

        @Override
        public AdamW create(List<Parameter> parameters, Compute compute) {
            return new AdamW(parameters, compute, this);
        }
    }

    private final Config config;

    public AdamW(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute, config.lr(), config.beta1(), config.beta2(), config.eps(),
                0, config.weightDecay(), config.amsgrad());
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "AdamW";
    }
}
