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

    /**
     * A data-parallel worker's share: the gradients of two halves, each weighted 1/2, add up to the full
     * batch's gradient, for every loss. They differ only in float rounding: each half's mean is scaled by 1/2
     * (one more rounding than the full batch's 1/B) and the two halves' sums are added in another order, so
     * they agree to a few units of 2^-24 relative to the gradient's terms; 1e-5 of the largest element bounds it.
     */
    @Test
    void weightedHalvesAccumulateToTheFullBatchGradient() {
        for (Loss loss : Loss.values()) {
            try (Compute compute = new Compute(Backends.create("simd", 1));
                 Arena arena = Arena.ofShared();
                 Mlp full = Mlp.create(new int[] {FEATURES, 16, CLASSES}, Activation.TANH, 3, compute);
                 Mlp halves = Mlp.create(new int[] {FEATURES, 16, CLASSES}, Activation.TANH, 3, compute);
                 Trainer a = new Trainer(full, loss, null, compute, FEATURES, CLASSES);
                 Trainer b = new Trainer(halves, loss, null, compute, FEATURES, CLASSES)) {
                Tensor x = Tensor.allocate(arena, 64, FEATURES);
                Tensor y = Tensor.allocate(arena, 64);
                Blobs.fill(x, y, 5);
                a.accumulateGradients(x, y, 1f);
                b.accumulateGradients(x.rows(0, 32), y.rows(0, 32), 0.5f);
                b.accumulateGradients(x.rows(32, 32), y.rows(32, 32), 0.5f);
                var expected = Parameter.of(full);
                var actual = Parameter.of(halves);
                for (int p = 0; p < expected.size(); p++) {
                    Tensor e = expected.get(p).grad();
                    Tensor g = actual.get(p).grad();
                    double largest = 0;
                    for (long i = 0; i < e.size(); i++) {
                        largest = Math.max(largest, Math.abs(e.get(i)));
                    }
                    assertTrue(largest > 0, loss + " " + expected.get(p).name() + ": the gradient is not all zeros");
                    for (long i = 0; i < e.size(); i++) {
                        assertEquals(e.get(i), g.get(i), 1e-5 * largest, loss + " " + expected.get(p).name() + "[" + i + "]");
                    }
                }
                b.zeroGradients();
                b.accumulateGradients(x, y, 1f);
                assertEquals(expected.get(0).grad().get(0), actual.get(0).grad().get(0),
                        "zeroGradients forgets what was accumulated");
            }
        }
    }

}
