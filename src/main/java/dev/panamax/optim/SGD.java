package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateRule;
import dev.panamax.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay: {@code torch.optim.SGD} as implemented in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html). Plain SGD, heavy-ball momentum
 * and Nesterov (Sutskever et al., 2013, in PyTorch's form) are its three modes.
 *
 * <pre>
 * d = g + weight_decay * p                         (if weight_decay != 0)
 * if momentum != 0:
 *     buf = d                                      at t = 1 (no dampening on the first step)
 *     buf = momentum * buf + (1 - dampening) * d   afterwards
 *     d   = nesterov ? d + momentum * buf : buf
 * p = p - lr * d
 * </pre>
 * lr multiplies the buffer's output, unlike Sutskever's {@code v = mu v + lr g}. State: {@code momentum_buffer}.
 */
public final class SGD extends Optimizer {

    /**
     * One step over one parameter, in float32 as torch's kernel rounds it: {@code d = wd != 0 ? fma(p, wd, g) : g};
     * with momentum {@code buf = first ? d : fma(d, dampComplement, buf * momentum)}, then
     * {@code d = nesterov ? fma(buf, momentum, d) : buf}; {@code p = fma(d, negLr, p)}. The buffer is absent
     * when momentum is 0; nesterov and first are 0 or 1.
     */
    public static final UpdateRule UPDATE = new UpdateRule("torch.optim.SGD",
            List.of("param", "grad", "momentum_buffer"), Set.of("momentum_buffer"),
            List.of("weightDecay", "momentum", "dampComplement", "nesterov", "first", "negLr")) {
        @Override
        public void reference(Tensor[] t, float[] s) {
            Tensor p = t[0];
            Tensor g = t[1];
            Tensor buf = t[2];
            float weightDecay = s[0];
            float momentum = s[1];
            float dampComplement = s[2];
            boolean nesterov = s[3] != 0f;
            boolean first = s[4] != 0f;
            float negLr = s[5];
            for (long i = 0; i < p.size(); i++) {
                float pi = p.get(i);
                float d = weightDecay != 0f ? Math.fma(pi, weightDecay, g.get(i)) : g.get(i);
                if (buf != null) {
                    float b = first ? d : Math.fma(d, dampComplement, buf.get(i) * momentum);
                    buf.set(i, b);
                    d = nesterov ? Math.fma(b, momentum, d) : b;
                }
                p.set(i, Math.fma(d, negLr, pi));
            }
        }
    };

    /**
     * SGD's hyperparameters; lr has no default (as in PyTorch), the rest default to 0 / false. Checked by
     * {@link #validate()}, which the optimizer's constructor calls.
     *
     * @param lr          the learning rate, {@code >= 0} (torch's {@code lr}; no default)
     * @param momentum    the momentum factor, {@code >= 0}; 0 is plain SGD (torch's {@code momentum})
     * @param dampening   the dampening of the momentum, finite (torch's {@code dampening})
     * @param nesterov    Nesterov momentum; needs momentum {@code > 0} and dampening 0 (torch's {@code nesterov})
     * @param weightDecay the L2 penalty added to the gradient, {@code >= 0} (torch's {@code weight_decay})
     */
    public record Config(double lr, double momentum, double dampening, boolean nesterov, double weightDecay)
            implements OptimizerConfig {

        /**
         * Plain SGD: no momentum, dampening or weight decay.
         *
         * @param lr the learning rate
         * @return a new config
         */
        public static Config lr(double lr) {
            return new Config(lr, 0, 0, false, 0);
        }

        /**
         * This config with {@code momentum} replaced.
         *
         * @param value the momentum factor
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withMomentum(double value) {
            return new Config(lr, value, dampening, nesterov, weightDecay);
        }

        /**
         * This config with {@code dampening} replaced.
         *
         * @param value the dampening
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withDampening(double value) {
            return new Config(lr, momentum, value, nesterov, weightDecay);
        }

        /**
         * This config with {@code nesterov} replaced.
         *
         * @param value whether to use Nesterov momentum
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withNesterov(boolean value) {
            return new Config(lr, momentum, dampening, value, weightDecay);
        }

        /**
         * This config with {@code weightDecay} replaced.
         *
         * @param value the L2 penalty
         * @return a new config; the value is checked by {@link #validate()}
         */
        public Config withWeightDecay(double value) {
            return new Config(lr, momentum, dampening, nesterov, value);
        }

        @Override
        public String optimizerName() {
            return "SGD";
        }

        @Override
        public void validate() {
            Hyperparameters.atLeastZero("SGD", "lr", lr);
            Hyperparameters.atLeastZero("SGD", "momentum", momentum);
            Hyperparameters.finite("SGD", "dampening", dampening);
            Hyperparameters.atLeastZero("SGD", "weight_decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("SGD: nesterov requires momentum > 0 and dampening = 0, got momentum="
                        + momentum + ", dampening=" + dampening);
            }
        }

        @Override
        public SGD create(List<Parameter> parameters, Compute compute) {
            return new SGD(parameters, compute, this);
        }
    }

    private final Config config;
    private final float weightDecay;
    private final float momentum;
    private final float dampComplement;
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
    public SGD(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        Tensor[] momentumBuffer = config.momentum() != 0 ? newState("momentum_buffer", 0f) : null;
        // hyperparameter arithmetic in double, rounded to float once (torch hands Python floats to the kernel)
        this.weightDecay = (float) config.weightDecay();
        this.momentum = (float) config.momentum();
        this.dampComplement = (float) (1 - config.dampening());
        this.negLr = (float) (-config.lr());
        useRule(UPDATE, momentumBuffer);
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
        return "SGD";
    }

    @Override
    protected void update(long t) {
        float[] s = ruleScalars();
        s[0] = weightDecay;
        s[1] = momentum;
        s[2] = dampComplement;
        s[3] = config.nesterov() ? 1f : 0f;
        s[4] = t == 1 ? 1f : 0f;
        s[5] = negLr;
        applyRule();
    }
}
