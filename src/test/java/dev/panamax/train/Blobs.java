package dev.panamax.train;

import dev.panamax.tensor.Tensor;

import java.util.SplittableRandom;

/** Test data: three Gaussian blobs in 12 dimensions, centred at +-2 on distinct axes, linearly separable w.h.p. */
final class Blobs {
    static final int FEATURES = 12;
    static final int CLASSES = 3;

    private Blobs() {
    }

    /** x (N, FEATURES) and labels (N): sample i is in class i % CLASSES. */
    static void fill(Tensor x, Tensor labels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < x.dim(0); i++) {
            int c = i % CLASSES;
            labels.set(i, c);
            for (int j = 0; j < FEATURES; j++) {
                double centre = j == c ? 2.0 : (j == c + CLASSES ? -2.0 : 0.0);
                x.set(i, j, (float) (centre + 0.5 * rng.nextGaussian()));
            }
        }
    }
}
