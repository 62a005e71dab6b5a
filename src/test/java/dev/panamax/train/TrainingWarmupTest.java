package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The replica warm-up runs the real run's loss, activation and optimizer on every backend without
 * tripping a check, for models of one and of two hidden layers, and the replica really trains: its
 * loss is finite throughout and, with plain SGD on its one fixed batch, falls. Its full-size steps run
 * on a model of their own: a run trained after a warm-up has the losses, bit for bit, of one without.
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
                            24, false);
                    String what = backend.name() + " " + loss + " " + optimizers[i] + ": " + r;
                    assertTrue(Float.isFinite(r.firstLoss()) && Float.isFinite(r.lastLoss()), what);
                    if (i == 0) {
                        assertTrue(r.lastLoss() < r.firstLoss(), what);
                    }
                    // 40 steps: the full-size ones from step 40 / 6 = 6, one a step, up to the cap
                    assertEquals(TrainingWarmup.FULL_SIZE_STEPS, r.fullSizeSteps(), what);
                }
            }
        }
    }

    @Test
    void noStepsMeansNoFullSizeSteps() {
        try (Compute compute = new Compute(Backends.create("scalar", 1))) {
            ModelSpec spec = ModelSpec.unstandardized(new int[] {6, 5, 3}, Activation.TANH, Loss.MSE);
            TrainingWarmup.Result r = TrainingWarmup.run(spec, OptimizerSpec.parse("adam"), compute, 0, 4, false);
            assertEquals(0, r.fullSizeSteps(), r.toString());
            assertTrue(Float.isNaN(r.firstLoss()), r.toString());
        }
    }

    @Test
    void aRunTrainsToTheSameBitsAfterAWarmUp() {
        int[] sizes = {784, 48, 10};
        ModelSpec spec = ModelSpec.unstandardized(sizes, Activation.RELU, Loss.CROSS_ENTROPY);
        OptimizerSpec adam = OptimizerSpec.parse("adam(lr=0.01)");
        for (Backend backend : Backends.allAvailable(2)) {
            float[] cold = runLosses(backend.name(), spec, adam, false);
            float[] warm = runLosses(backend.name(), spec, adam, true);
            for (int s = 0; s < cold.length; s++) {
                assertEquals(Float.floatToRawIntBits(cold[s]), Float.floatToRawIntBits(warm[s]),
                        backend.name() + " step " + s + ": " + cold[s] + " cold, " + warm[s] + " after a warm-up");
            }
        }
    }

    // five steps of a seeded run on a fixed batch, after a warm-up of 30 steps (batch 12) or none, on a fresh backend
    private static float[] runLosses(String backend, ModelSpec spec, OptimizerSpec optimizer, boolean warmUp) {
        int batch = 12;
        int features = spec.sizes()[0];
        try (Compute compute = new Compute(Backends.create(backend, 2));
             Arena arena = Arena.ofShared()) {
            if (warmUp) {
                assertTrue(TrainingWarmup.run(spec, optimizer, compute, 30, batch, false).fullSizeSteps() > 0);
            }
            try (Mlp model = Mlp.create(spec.sizes(), spec.activation(), 7, compute);
                 Optimizer opt = optimizer.create(Parameter.of(model), compute);
                 Trainer trainer = new Trainer(model, spec.loss(), opt, compute, features, 10)) {
                Tensor x = Tensor.allocate(arena, batch, features);
                Tensor labels = Tensor.allocate(arena, batch);
                for (int i = 0; i < batch; i++) {
                    labels.set(i, (i * 3) % 10);
                    for (int j = 0; j < features; j++) {
                        x.set((long) i * features + j, ((i * 13 + j * 5) % 23) / 23f);
                    }
                }
                float[] losses = new float[5];
                for (int s = 0; s < losses.length; s++) {
                    losses[s] = trainer.trainStep(x, labels);
                }
                return losses;
            }
        }
    }

    @Test
    void aNegativeStepCountIsRefused() {
        try (Compute compute = new Compute(Backends.create("scalar", 1))) {
            ModelSpec spec = ModelSpec.unstandardized(new int[] {4, 3}, Activation.RELU, Loss.CROSS_ENTROPY);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingWarmup.run(spec, OptimizerSpec.parse("sgd(lr=0.1)"), compute, -2, 16, false));
            assertTrue(e.getMessage().contains("-2"), e.getMessage());
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                    () -> TrainingWarmup.run(spec, OptimizerSpec.parse("sgd(lr=0.1)"), compute, 10, 0, false));
            assertTrue(b.getMessage().contains("batch"), b.getMessage());
        }
    }
}
