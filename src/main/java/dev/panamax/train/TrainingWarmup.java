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

    /**
     * What a warm-up did: its seconds, and the replica's loss after its first and its last step.
     *
     * @param seconds   the wall time, kernel warm-up and JIT wait included
     * @param firstLoss the replica's loss at its first step (NaN when no step ran)
     * @param lastLoss  the replica's loss at its last step (NaN when no step ran)
     */
    public record Result(double seconds, float firstLoss, float lastLoss) {
    }

    /**
     * Runs {@code steps} replica training steps (and an evaluation step every fourth), then waits until
     * the JIT is idle.
     *
     * @param spec          the run's model: the replica keeps its depth, activation, loss and class count
     * @param optimizerSpec the run's optimizer settings
     * @param compute       the run's kernels; not closed
     * @param steps         replica steps, {@code >= 0}, e.g. {@link #DEFAULT_STEPS}; also the calls per kernel of
     *                      {@link KernelWarmup}
     * @return the time taken and the replica's losses
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    public static Result run(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, int steps) {
        return run(spec, optimizerSpec, compute, steps, true);
    }

    /**
     * As {@link #run(ModelSpec, OptimizerSpec, Compute, int)}; {@code awaitCompiler} false skips the wait.
     *
     * @param spec          the run's model
     * @param optimizerSpec the run's optimizer settings
     * @param compute       the run's kernels; not closed
     * @param steps         replica steps, {@code >= 0}
     * @param awaitCompiler whether to wait for the JIT to go idle at the end
     * @return the time taken and the replica's losses
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    public static Result run(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, int steps,
                             boolean awaitCompiler) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        long start = System.nanoTime();
        KernelWarmup.run(compute.backend(), steps, false);
        float first = Float.NaN;
        float last = Float.NaN;
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
                last = trainer.trainStep(x, labels);
                if (s == 0) {
                    first = last;
                }
                if (s % 4 == 3) {
                    trainer.evalStep(x, labels);
                }
            }
        }
        if (awaitCompiler) {
            KernelWarmup.awaitQuietCompiler();
        }
        return new Result((System.nanoTime() - start) / 1e9, first, last);
    }
}
