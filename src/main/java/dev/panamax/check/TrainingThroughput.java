package dev.panamax.check;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * Training throughput of the default model (784-256-10, ReLU, cross-entropy, SGD lr 0.05 momentum 0.9)
 * on any {@link Compute}, in samples per second, the figure {@code scripts/gpu-bench-torch.py} measures
 * for PyTorch with the same model, optimizer and kind of data: {@value #SAMPLES} synthetic samples that
 * carry their label (see {@link #learnableData}), so the loss must fall (checked: a fast run that
 * learns nothing is reported as broken, not as fast).
 *
 * <p>Every step is {@link Trainer#trainStep}: upload (or device copy) of the batch, forward, backward,
 * update, and the one wait for the loss, as PyTorch's loop does with {@code loss.item()}.
 */
final class TrainingThroughput {
    static final int FEATURES = 784;
    static final int HIDDEN = 256;
    static final int CLASSES = 10;
    static final int SAMPLES = 16_384;

    /** samplesPerSecond over the timed steps; firstLoss / lastLoss bracket the whole run. */
    record Result(int batch, double samplesPerSecond, long steps, float firstLoss, float lastLoss) {
        boolean learned() {
            return lastLoss < 0.9f * firstLoss;
        }
    }

    private TrainingThroughput() {
    }

    /**
     * Trains for about {@code warmupSeconds} untimed, then {@code seconds} timed and at least
     * {@code minTimedSteps} steps (so that a slow machine still trains long enough to show learning).
     *
     * @param dataInBackend true: the data set is copied once into {@code compute}'s memory (on a GPU:
     *                      resident, as PyTorch's data is in the comparison), so a step copies its batch
     *                      device to device; false: host data, uploaded batch by batch
     */
    static Result measure(Compute compute, int batch, boolean dataInBackend, double warmupSeconds, double seconds,
                          int minTimedSteps) {
        try (Arena arena = Arena.ofShared();
             Mlp mlp = Mlp.create(new int[] {FEATURES, HIDDEN, CLASSES}, Activation.RELU, 1, compute);
             Optimizer opt = OptimizerSpec.parse("sgd(lr=0.05, momentum=0.9)").create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, FEATURES, CLASSES)) {
            Tensor x = Tensor.allocate(arena, SAMPLES, FEATURES);
            Tensor labels = Tensor.allocate(arena, SAMPLES);
            learnableData(x, labels);
            if (dataInBackend) {
                x = compute.copyOf(arena, x);
                labels = compute.copyOf(arena, labels);
            }
            int batches = SAMPLES / batch;
            Tensor[] xs = new Tensor[batches]; // views made once: the timed loop allocates nothing
            Tensor[] ys = new Tensor[batches];
            for (int b = 0; b < batches; b++) {
                xs[b] = x.rows(b * batch, batch);
                ys[b] = labels.rows(b * batch, batch);
            }
            float first = trainer.trainStep(xs[0], ys[0]);
            long step = 1;
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            while (System.nanoTime() < warmupEnd) {
                int b = (int) (step++ % batches);
                trainer.trainStep(xs[b], ys[b]);
            }
            long timed = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            do {
                int b = (int) (step++ % batches);
                trainer.trainStep(xs[b], ys[b]);
                timed++;
                now = System.nanoTime();
            } while (now < end || timed < minTimedSteps);
            return new Result(batch, timed * (double) batch / ((now - start) / 1e9), timed, first, trainer.lastLoss());
        }
    }

    /**
     * Gaussian inputs, a random label each, and the label's class written into the input: feature
     * {@code label} (one of the first ten) raised by 3. Any reasonable model learns it within a few
     * hundred steps, so "the loss fell" separates a working step from a broken one quickly.
     */
    static void learnableData(Tensor x, Tensor labels) {
        SplittableRandom rng = new SplittableRandom(2026);
        for (int i = 0; i < x.dim(0); i++) {
            int label = rng.nextInt(CLASSES);
            labels.set(i, label);
            for (int j = 0; j < FEATURES; j++) {
                x.set(i, j, (float) rng.nextGaussian() + (j == label ? 3f : 0f));
            }
        }
    }
}
