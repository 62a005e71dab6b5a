package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * RMSprop (Hinton, Coursera lecture 6e; centered variant from Graves, arXiv:1308.0850) as
 * {@code torch.optim.RMSprop} in PyTorch 1.13 (https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html):
 *
 * <pre>
 * g          = g + weight_decay * p                                (if weight_decay != 0)
 * square_avg = alpha * square_avg + (1 - alpha) * g * g
 * centered:  grad_avg = alpha * grad_avg + (1 - alpha) * g;  avg = sqrt(square_avg - grad_avg^2) + eps
 * else:      avg = sqrt(square_avg) + eps
 * momentum > 0:  buf = momentum * buf + g / avg;  p = p - lr * buf   (buf starts at 0, no first-step rule)
 * else:          p = p - lr * g / avg
 * </pre>
 * States: {@code square_avg}, plus {@code momentum_buffer} when momentum > 0, plus {@code grad_avg} when centered.
 */
public final class RMSprop extends Optimizer {

    /**
     * One step over one parameter, in float32: {@code g' = wd != 0 ? fma(p, wd, g) : g;
     * sq = fma(oneMinusAlpha * g', g', sq * alpha)}; centered (grad_avg present): {@code ga = fma(g', oneMinusAlpha,
     * ga * alpha); avg = sqrt(fma(-ga, ga, sq)) + eps}, else {@code avg = sqrt(sq) + eps}; with momentum
     * (momentum_buffer present): {@code buf = buf * momentum + g' / avg; p = fma(buf, negLr, p)}, else
     * {@code p = p + (negLr * g') / avg}.
     */
    public static final UpdateRule UPDATE = new UpdateRule("torch.optim.RMSprop",
            List.of("param", "grad", "square_avg", "grad_avg", "momentum_buffer"),
            Set.of("grad_avg", "momentum_buffer"),
            List.of("weightDecay", "alpha", "oneMinusAlpha", "eps", "momentum", "negLr")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            Tensor p = t[0];
            Tensor g = t[1];
            Tensor squareAvg = t[2];
            Tensor gradAvg = t[3];
            Tensor buf = t[4];
            float weightDecay = s[0];
            float alpha = s[1];
            float oneMinusAlpha = s[2];
            float eps = s[3];
            float momentum = s[4];
            float negLr = s[5];
            for (long i = 0; i < p.size(); i++) {
                float pi = p.get(i);
                float gi = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
                float sq = Math.fma(oneMinusAlpha * gi, gi, squareAvg.get(i) * alpha);
                squareAvg.set(i, sq);
                float avg;
                if (gradAvg != null) {
                    float ga = Math.fma(gi, oneMinusAlpha, gradAvg.get(i) * alpha);
                    gradAvg.set(i, ga);
                    avg = (float) Math.sqrt(Math.fma(-ga, ga, sq)) + eps;
                } else {
                    avg = (float) Math.sqrt(sq) + eps;
                }
                if (buf != null) {
                    float b = buf.get(i) * momentum + gi / avg;
                    buf.set(i, b);
                    p.set(i, Math.fma(b, negLr, pi));
                } else {
                    p.set(i, pi + (negLr * gi) / avg);
                }
            }
        }
    };

    /**
     * RMSprop's hyperparameters; {@link #defaults()} are PyTorch's. Checked by {@link #validate()}, which the
     * optimizer's constructor calls.
     *
     * @param lr          the learning rate, {@code >= 0} (default 0.01)
     * @param alpha       the decay of the squared-gradient average, in [0, 1] (default 0.99)
     * @param eps         added to the denominator, outside the square root, {@code >= 0} (default 1e-8)
     * @param weightDecay the L2 penalty added to the gradient, {@code >= 0} (torch's {@code weight_decay}, default 0)
     * @param momentum    the momentum factor, {@code >= 0}; 0 keeps no buffer (default 0)
     * @param centered    whether to divide by the estimated variance instead of the raw second moment (default
     *                    false)
     */
    public record Config(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
            implements OptimizerConfig {

        /**
         * PyTorch's defaults.
         *
         * @return the default config
         */
        public static Config defaults() {
            return new Config(0.01, 0.99, 1e-8, 0, 0, false);
        }

        /**
         * This config with {@code lr} replaced.
         *
         * @param value the learning rate
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withLr(double value) {
            return new Config(value, alpha, eps, weightDecay, momentum, centered);
        }

        /**
         * This config with {@code alpha} replaced.
         *
         * @param value the decay of the average
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withAlpha(double value) {
            return new Config(lr, value, eps, weightDecay, momentum, centered);
        }

        /**
         * This config with {@code eps} replaced.
         *
         * @param value the denominator's epsilon
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withEps(double value) {
            return new Config(lr, alpha, value, weightDecay, momentum, centered);
        }

        /**
         * This config with {@code weightDecay} replaced.
         *
         * @param value the L2 penalty
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withWeightDecay(double value) {
            return new Config(lr, alpha, eps, value, momentum, centered);
        }

        /**
         * This config with {@code momentum} replaced.
         *
         * @param value the momentum factor
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withMomentum(double value) {
            return new Config(lr, alpha, eps, weightDecay, value, centered);
        }

        /**
         * This config with {@code centered} replaced.
         *
         * @param value whether to center
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withCentered(boolean value) {
            return new Config(lr, alpha, eps, weightDecay, momentum, value);
        }

        @Override
        public String optimizerName() {
            return "RMSprop";
        }

        @Override
        public void validate() {
            Hyperparameters.atLeastZero("RMSprop", "lr", lr);
            Hyperparameters.closed("RMSprop", "alpha", alpha, 0, 1);
            Hyperparameters.atLeastZero("RMSprop", "eps", eps);
            Hyperparameters.atLeastZero("RMSprop", "weight_decay", weightDecay);
            Hyperparameters.atLeastZero("RMSprop", "momentum", momentum);
        }

        @Override
        public RMSprop create(List<Parameter> parameters, Compute compute) {
            return new RMSprop(parameters, compute, this);
        }
    }

    private final Config config;
    private final float weightDecay;
    private final float alpha;
    private final float oneMinusAlpha;
    private final float eps;
    private final float momentum;
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
    public RMSprop(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        // torch's state order: square_avg, momentum_buffer, grad_avg
        Tensor[] squareAvg = newState("square_avg", 0f);
        Tensor[] momentumBuffer = config.momentum() > 0 ? newState("momentum_buffer", 0f) : null;
        Tensor[] gradAvg = config.centered() ? newState("grad_avg", 0f) : null;
        this.weightDecay = (float) config.weightDecay();
        this.alpha = (float) config.alpha();
        this.oneMinusAlpha = (float) (1 - config.alpha());
        this.eps = (float) config.eps();
        this.momentum = (float) config.momentum();
        this.negLr = (float) (-config.lr());
        useRule(UPDATE, squareAvg, gradAvg, momentumBuffer);
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
        return "RMSprop";
    }

    @Override
    protected void update(long t) {
        float[] s = ruleScalars();
        s[0] = weightDecay;
        s[1] = alpha;
        s[2] = oneMinusAlpha;
        s[3] = eps;
        s[4] = momentum;
        s[5] = negLr;
        applyRule();
    }
}
