package dev.panamax.optim;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

import java.util.List;

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

    /** Adadelta's hyperparameters; {@link #defaults()} are PyTorch's. */
    public record Config(double lr, double rho, double eps, double weightDecay) implements OptimizerConfig {

        public static Config defaults() {
            return new Config(1.0, 0.9, 1e-6, 0);
        }

        public Config withLr(double value) {
            return new Config(value, rho, eps, weightDecay);
        }

        public Config withRho(double value) {
            return new Config(lr, value, eps, weightDecay);
        }

        public Config withEps(double value) {
            return new Config(lr, rho, value, weightDecay);
        }

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
    private final Tensor[] squareAvg;
    private final Tensor[] accDelta;
    private final float weightDecay;
    private final float rho;
    private final float oneMinusRho;
    private final float eps;
    private final float negLr;

    public Adadelta(List<Parameter> parameters, Compute compute, Config config) {
        config.validate(); // before super(): an invalid config must not allocate the state arena
        super(parameters, compute);
        this.config = config;
        this.squareAvg = newState("square_avg", 0f);
        this.accDelta = newState("acc_delta", 0f);
        this.weightDecay = (float) config.weightDecay();
        this.rho = (float) config.rho();
        this.oneMinusRho = (float) (1 - config.rho()); // in double: 1f - 0.9f would differ in the last bit
        this.eps = (float) config.eps();
        this.negLr = (float) (-config.lr());
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "Adadelta";
    }

    @Override
    protected void update(long t) {
        for (int i = 0; i < params.length; i++) {
            compute.adadeltaStep(params[i].value(), params[i].grad(), squareAvg[i], accDelta[i], weightDecay,
                    rho, oneMinusRho, eps, negLr);
        }
    }
}
