package dev.panamax.train;

import dev.panamax.backend.Compute;
import dev.panamax.backend.KernelWarmup;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;

/**
 * Trains a small replica of a run before the run itself: the same depth, activation, loss and optimizer
 * settings on 32-wide layers and a batch of 16, so that every code path the real steps take (the
 * optimizer's branches for its settings, the loss, the activations, the evaluation pass) is compiled by
 * the JIT while a step costs microseconds. {@link KernelWarmup} adds the GEMM paths the replica's small
 * shapes do not reach. Without it the first epoch at the real shapes runs the Vector API's uncompiled
 * code, where every vector operation is an object: many times slower than the epochs after it.
 */
public final class TrainingWarmup {
    /** Replica steps: past C2's compile thresholds for each step's kernels (see KernelWarmup.DEFAULT_CALLS). */
    public static final int DEFAULT_STEPS = KernelWarmup.DEFAULT_CALLS;
    private static final int WIDTH = 32;
    private static final int BATCH = 16;

    private TrainingWarmup() {
    }

    /** Runs {@code steps} replica training steps (and an evaluation step every fourth); returns the seconds taken. */
    public static double run(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        long start = System.nanoTime();
        KernelWarmup.run(compute.backend(), steps);
        int[] sizes = spec.sizes().clone();
        int classes = sizes[sizes.length - 1];
        for (int i = 0; i < sizes.length - 1; i++) {
            sizes[i] = WIDTH;
        }
        try (Arena arena = Arena.ofShared();
             Mlp replica = Mlp.create(sizes, spec.activation(), 1, compute);
             Optimizer optimizer = optimizerSpec.create(Parameter.of(replica), compute);
             Trainer trainer = new Trainer(replica, spec.loss(), optimizer, compute, WIDTH, classes)) {
            Tensor x = Tensor.allocate(arena, BATCH, WIDTH);
            Tensor labels = Tensor.allocate(arena, BATCH);
            for (int i = 0; i < BATCH; i++) {
                labels.set(i, i % classes);
                for (int j = 0; j < WIDTH; j++) {
                    x.set((long) i * WIDTH + j, ((i * 31 + j * 7) % 17) / 17f);
                }
            }
            for (int s = 0; s < steps; s++) {
                trainer.trainStep(x, labels);
                if (s % 4 == 3) {
                    trainer.evalStep(x, labels);
                }
            }
        }
        KernelWarmup.awaitQuietCompiler();
        return (System.nanoTime() - start) / 1e9;
    }
}
