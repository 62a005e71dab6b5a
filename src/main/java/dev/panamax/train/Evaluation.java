package dev.panamax.train;

import dev.panamax.data.BatchLoader;
import dev.panamax.data.Dataset;
import dev.panamax.tensor.Tensor;

/**
 * Loss, accuracy and confusion matrix of a trained classifier over a whole data set, in batches,
 * without gradients. {@code confusion[true][predicted]} counts samples.
 */
public final class Evaluation {
    private final long[][] confusion;
    private final double meanLoss;
    private final long samples;

    private Evaluation(long[][] confusion, double meanLoss, long samples) {
        this.confusion = confusion;
        this.meanLoss = meanLoss;
        this.samples = samples;
    }

    /**
     * Runs the trainer's no-grad graph over every sample of {@code data} in order.
     *
     * @param trainer   the trainer of the model to evaluate (its {@link Trainer#evalStep})
     * @param data      the samples; its class count sizes the confusion matrix
     * @param batchSize samples per step, {@code >= 1}; the last batch may be smaller
     * @return the loss, accuracy and confusion matrix
     * @throws IllegalArgumentException if the batch size is not positive or the data does not fit the model
     */
    public static Evaluation run(Trainer trainer, Dataset data, int batchSize) {
        int classes = data.classes();
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        long seen = 0;
        try (BatchLoader batches = new BatchLoader(data, batchSize, false, 0, false)) {
            batches.startEpoch(0);
            while (batches.next()) {
                int n = batches.currentBatchSize();
                lossSum += (double) trainer.evalStep(batches.x(), batches.labels()) * n;
                Tensor logits = trainer.lastLogits(false);
                Tensor labels = batches.labels();
                for (int i = 0; i < n; i++) {
                    confusion[(int) labels.get(i)][logits.argmaxOfRow(i)]++;
                }
                seen += n;
            }
        }
        return new Evaluation(confusion, lossSum / Math.max(1, seen), seen);
    }

    /**
     * The mean loss over all samples.
     *
     * @return the loss, each batch weighted by its size
     */
    public double meanLoss() {
        return meanLoss;
    }

    /**
     * How many samples were evaluated.
     *
     * @return the data set's size
     */
    public long samples() {
        return samples;
    }

    /**
     * The fraction of samples whose largest logit is at the label.
     *
     * @return the accuracy in [0, 1]
     */
    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < confusion.length; c++) {
            correct += confusion[c][c];
        }
        return (double) correct / Math.max(1, samples);
    }

    /**
     * Recall of each class: correct predictions of class c / samples of class c (NaN if none).
     *
     * @return one value per class, in label order
     */
    public double[] perClassAccuracy() {
        double[] out = new double[confusion.length];
        for (int c = 0; c < confusion.length; c++) {
            long total = 0;
            for (long v : confusion[c]) {
                total += v;
            }
            out[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return out;
    }

    /**
     * The confusion matrix, {@code confusion[true][predicted]}.
     *
     * @return a copy, classes x classes
     */
    public long[][] confusion() {
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }
}
