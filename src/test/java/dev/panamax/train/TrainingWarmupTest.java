package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The replica warm-up runs the real run's loss, activation and optimizer on every backend without
 * tripping a check, for models of one and of two hidden layers, and the replica really trains: its
 * loss is finite throughout and, with plain SGD on its one fixed batch, falls.
 */
class TrainingWarmupTest {
    @Test
    void everyLossActivationAndOptimizerWarmsUpOnEveryBackend() {
        String[] optimizers = {"sgd(lr=0.1)", "nesterov(lr=0.1)", "adagrad", "adadelta", "rmsprop(centered=true,momentum=0.9)",
                "adam(amsgrad=true)", "adamw"};
        for (Backend backend : Backends.allAvailable(2)) {
            try (Compute compute = new Compute(backend)) {
                // each optimizer once, the losses and activations in turn beside them
                for (int i = 0; i < optimizers.length; i++) {
                    Loss loss = Loss.values()[i % Loss.values().length];
                    Activation act = Activation.values()[i % Activation.values().length];
                    int[] sizes = i % 2 == 0 ? new int[] {784, 64, 32, 10} : new int[] {784, 64, 10};
                    ModelSpec spec = ModelSpec.unstandardized(sizes, act, loss);
                    TrainingWarmup.Result r = TrainingWarmup.run(spec, OptimizerSpec.parse(optimizers[i]), compute, 40,
                            false);
                    String what = backend.name() + " " + loss + " " + optimizers[i] + ": " + r;
                    assertTrue(Float.isFinite(r.firstLoss()) && Float.isFinite(r.lastLoss()), what);
                    if (i == 0) {
                        assertTrue(r.lastLoss() < r.firstLoss(), what);
                    }
                }
            }
        }
    }

    @Test
    void aNegativeStepCountIsRefused() {
        try (Compute compute = new Compute(Backends.create("scalar", 1))) {
            ModelSpec spec = ModelSpec.unstandardized(new int[] {4, 3}, Activation.RELU, Loss.CROSS_ENTROPY);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingWarmup.run(spec, OptimizerSpec.parse("sgd(lr=0.1)"), compute, -2, false));
            assertTrue(e.getMessage().contains("-2"), e.getMessage());
        }
    }
}
