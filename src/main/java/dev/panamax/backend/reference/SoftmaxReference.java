package dev.panamax.backend.reference;

import dev.panamax.tensor.Tensor;

/**
 * Row softmax, log-softmax and the fused softmax + cross-entropy, in double (max-subtracted, so large
 * logits do not overflow), rounded once to float: the reference the other backends are checked against
 * and what a backend inherits when it does not accelerate them.
 */
public final class SoftmaxReference {
    private SoftmaxReference() {
    }

    public static void softmaxRows(Tensor x, Tensor y) {
        int rows = x.rows();
        int cols = x.cols();
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            double max = rowMax(x, base, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x.get(base + j) - max);
            }
            for (int j = 0; j < cols; j++) {
                y.set(base + j, (float) (Math.exp(x.get(base + j) - max) / sum));
            }
        }
    }

    public static void logSoftmaxRows(Tensor x, Tensor y) {
        int rows = x.rows();
        int cols = x.cols();
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            double lse = logSumExp(x, base, cols);
            for (int j = 0; j < cols; j++) {
                y.set(base + j, (float) (x.get(base + j) - lse));
            }
        }
    }

    public static double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale) {
        int rows = logits.rows();
        int cols = logits.cols();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            long base = (long) i * cols;
            int label = (int) labels.get(i);
            double lse = logSumExp(logits, base, cols);
            total += lse - logits.get(base + label);
            for (int j = 0; j < cols; j++) {
                double p = Math.exp(logits.get(base + j) - lse);
                probs.set(base + j, (float) p);
                if (dlogits != null) {
                    double onehot = j == label ? 1.0 : 0.0;
                    dlogits.set(base + j, (float) ((p - onehot) * gradScale));
                }
            }
        }
        return total;
    }

    private static double rowMax(Tensor x, long base, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            float v = x.get(base + j);
            if (Float.isNaN(v)) {
                return Double.NaN;
            }
            max = Math.max(max, v);
        }
        return max;
    }

    private static double logSumExp(Tensor x, long base, int cols) {
        double max = rowMax(x, base, cols);
        if (Double.isInfinite(max)) {
            return max; // all -inf (or a +inf): the sum is dominated by max itself
        }
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += Math.exp(x.get(base + j) - max);
        }
        return max + Math.log(sum);
    }
}
