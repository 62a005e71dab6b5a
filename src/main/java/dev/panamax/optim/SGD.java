package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

import java.util.List;

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

    /** SGD's hyperparameters; lr has no default (as in PyTorch), the rest default to 0 / false. */
    public record Config(double lr, double momentum, double dampening, boolean nesterov, double weightDecay)
            implements OptimizerConfig {

        public static Config lr(double lr) {
            return new Config(lr, 0, 0, false, 0);
        }

        public Config withMomentum(double value) {
            return new Config(lr, value, dampening, nesterov, weightDecay);
        }

        public Config withDampening(double value) {
            return new Config(lr, momentum, value, nesterov, weightDecay);
        }

        public Config withNesterov(boolean value) {
            return new Config(lr, momentum, dampening, value, weightDecay);
        }

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
    private final Tensor[] momentumBuffer;
    private final float weightDecay;
    private final float momentum;
    private final float dampComplement;
    private final float negLr;

    public SGD(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        this.momentumBuffer = config.momentum() != 0 ? newState("momentum_buffer", 0f) : null;
        // hyperparameter arithmetic in double, rounded to float once (torch hands Python floats to the kernel)
        this.weightDecay = (float) config.weightDecay();
        this.momentum = (float) config.momentum();
        this.dampComplement = (float) (1 - config.dampening());
        this.negLr = (float) (-config.lr());
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "SGD";
    }

    @Override
    protected void update(long t) {
        boolean first = t == 1;
        for (int i = 0; i < params.length; i++) {
            compute.sgdStep(params[i].value(), params[i].grad(), momentumBuffer == null ? null : momentumBuffer[i],
                    weightDecay, momentum, dampComplement, config.nesterov(), first, negLr);
        }
    }
}
