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
 *
 * <p>Among the replica's steps, once the JIT has compiled them, run a few steps of a model of the run's
 * own sizes at its own batch, with its own optimizer settings (a separate model: the run's weights,
 * and its random numbers, are untouched). The code C2 compiles from the replica alone has only the
 * branches the small shapes take; the first real step then takes the others (a kernel's loop over
 * whole blocks of vectors that 32 columns never fill, a loop predicate that a longer parameter fails, a
 * GEMM large enough for several threads), each such branch is an uncommon trap, and the method runs
 * C1's profiling code, with every vector an object, until C2 compiles it again: most of the first
 * epoch's lost time. With both kinds of step in the profile, C2 compiles both kinds of branch.
 */
public final class TrainingWarmup {
    /** Replica steps: past C2's compile thresholds for each step's kernels (see KernelWarmup.DEFAULT_CALLS). */
    public static final int DEFAULT_STEPS = KernelWarmup.DEFAULT_CALLS;
    private static final int WIDTH = 32;
    private static final int BATCH = 16;
    /** Steps of the run's own sizes: few enough to cost little even at C1's speed, spread out so that
     *  every recompilation after the first one sees them too. */
    static final int FULL_SIZE_STEPS = 20;

    private TrainingWarmup() {
    }

    /**
     * What a warm-up did: its seconds, and the replica's loss after its first and its last step.
     *
     * @param seconds   the wall time, kernel warm-up and JIT wait included
     * @param firstLoss the replica's loss at its first step (NaN when no step ran)
     * @param lastLoss  the replica's loss at its last step (NaN when no step ran)
     * @param fullSizeSteps the training steps run at the run's own sizes and batch
     */
    public record Result(double seconds, float firstLoss, float lastLoss, int fullSizeSteps) {
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
     * @param batch         the run's batch size, {@code >= 1}: the full-size steps' batch
     * @return the time taken and the replica's losses
     * @throws IllegalArgumentException if {@code steps} is negative or {@code batch} below 1
     */
    public static Result run(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, int steps, int batch) {
        return run(spec, optimizerSpec, compute, steps, batch, true);
    }

    /**
     * As {@link #run(ModelSpec, OptimizerSpec, Compute, int, int)}; {@code awaitCompiler} false skips the wait.
     *
     * @param spec          the run's model
     * @param optimizerSpec the run's optimizer settings
     * @param compute       the run's kernels; not closed
     * @param steps         replica steps, {@code >= 0}
     * @param batch         the run's batch size, {@code >= 1}
     * @param awaitCompiler whether to wait for the JIT to go idle at the end
     * @return the time taken and the replica's losses
     * @throws IllegalArgumentException if {@code steps} is negative or {@code batch} below 1
     */
    public static Result run(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, int steps, int batch,
                             boolean awaitCompiler) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        long start = System.nanoTime();
        KernelWarmup.run(compute.backend(), steps, false);
        float first = Float.NaN;
        float last = Float.NaN;
        int fullSteps = 0;
        int[] sizes = spec.sizes().clone();
        int classes = sizes[sizes.length - 1];
        for (int i = 0; i < sizes.length - 1; i++) {
            sizes[i] = WIDTH;
        }
        int features = spec.sizes()[0];
        // the full-size steps start once the replica's kernels are compiled (a sixth of the steps in), then
        // come at even intervals to the end
        int fullFrom = steps / 6;
        int fullEvery = Math.max(1, (steps - fullFrom) / FULL_SIZE_STEPS);
        try (Arena arena = Arena.ofShared();
             Mlp replica = Mlp.create(sizes, spec.activation(), 1, compute);
             Optimizer optimizer = optimizerSpec.create(Parameter.of(replica), compute);
             Trainer trainer = new Trainer(replica, spec.loss(), optimizer, compute, WIDTH, classes);
             Mlp fullSize = Mlp.create(spec.sizes(), spec.activation(), 1, compute);
             Optimizer fullOptimizer = optimizerSpec.create(Parameter.of(fullSize), compute);
             Trainer fullTrainer = new Trainer(fullSize, spec.loss(), fullOptimizer, compute, features, classes)) {
            Tensor x = syntheticBatch(arena, BATCH, WIDTH);
            Tensor labels = syntheticLabels(arena, BATCH, classes);
            Tensor fullX = syntheticBatch(arena, batch, features);
            Tensor fullLabels = syntheticLabels(arena, batch, classes);
            for (int s = 0; s < steps; s++) {
                last = trainer.trainStep(x, labels);
                if (s == 0) {
                    first = last;
                }
                if (s % 4 == 3) {
                    trainer.evalStep(x, labels);
                }
                if (s >= fullFrom && (s - fullFrom) % fullEvery == 0 && fullSteps < FULL_SIZE_STEPS) {
                    fullTrainer.trainStep(fullX, fullLabels);
                    if (fullSteps % 2 == 1) {
                        fullTrainer.evalStep(fullX, fullLabels);
                    }
                    fullSteps++;
                }
            }
        }
        if (awaitCompiler) {
            KernelWarmup.awaitQuietCompiler();
        }
        return new Result((System.nanoTime() - start) / 1e9, first, last, fullSteps);
    }

    // inputs in [0, 1) that differ from row to row and column to column, so that no activation is constant
    private static Tensor syntheticBatch(Arena arena, int rows, int cols) {
        Tensor x = Tensor.allocate(arena, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x.set((long) i * cols + j, ((i * 31 + j * 7) % 17) / 17f);
            }
        }
        return x;
    }

    private static Tensor syntheticLabels(Arena arena, int rows, int classes) {
        Tensor labels = Tensor.allocate(arena, rows);
        for (int i = 0; i < rows; i++) {
            labels.set(i, i % classes);
        }
        return labels;
    }
}
