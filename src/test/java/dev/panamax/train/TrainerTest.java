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

class TrainerTest {
    private static final int FEATURES = Blobs.FEATURES;
    private static final int CLASSES = Blobs.CLASSES;
    private static final int SAMPLES = 96;

    @Test
    void everyLossAndBackendLearnsBlobs() {
        for (Backend backend : Backends.allAvailable(2)) {
            for (Loss loss : Loss.values()) {
                try (Compute compute = new Compute(backend);
                     Arena arena = Arena.ofShared();
                     Mlp mlp = Mlp.create(new int[] {FEATURES, 16, CLASSES}, Activation.TANH, 3);
                     Optimizer opt = OptimizerSpec.parse("adam(lr=0.05)").create(Parameter.of(mlp), compute);
                     Trainer trainer = new Trainer(mlp, loss, opt, compute, FEATURES, CLASSES)) {
                    Tensor x = Tensor.allocate(arena, SAMPLES, FEATURES);
                    Tensor y = Tensor.allocate(arena, SAMPLES);
                    Blobs.fill(x, y, 11);
                    float first = 0;
                    int correct = 0;
                    for (int epoch = 0; epoch < 40; epoch++) {
                        correct = 0;
                        for (int b = 0; b < SAMPLES; b += 32) {
                            float l = trainer.trainStep(x.rows(b, 32), y.rows(b, 32));
                            if (epoch == 0 && b == 0) {
                                first = l;
                            }
                            correct += trainer.lastCorrect();
                        }
                    }
                    String where = loss + " on " + backend.name();
                    // gaussian_nll with unit variance cannot go below its constant 0.5 log(2 pi)
                    double floor = loss == Loss.GAUSSIAN_NLL ? 0.5 * Math.log(2 * Math.PI) : 0.0;
                    assertTrue(trainer.lastLoss() - floor < 0.5 * (first - floor),
                            where + ": loss " + first + " -> " + trainer.lastLoss());
                    assertTrue(correct >= 0.95 * SAMPLES, where + ": " + correct + "/" + SAMPLES + " correct");

                    Tensor tx = Tensor.allocate(arena, SAMPLES, FEATURES);
                    Tensor ty = Tensor.allocate(arena, SAMPLES);
                    Blobs.fill(tx, ty, 12);
                    trainer.evalStep(tx, ty);
                    assertTrue(trainer.lastCorrect() >= 0.9 * SAMPLES, where + ": test " + trainer.lastCorrect());
                }
            }
        }
    }
}
