package dev.panamax.data;

import dev.panamax.tensor.Tensor;

/**
 * Per-data-set pixel standardisation {@code x' = (x - mean) / std} with one mean and one
 * standard deviation over all pixels of the training split (the scalar form of torchvision's
 * {@code Normalize((0.1307,), (0.3081,))} for MNIST). {@code std} is the population standard
 * deviation (divisor N), accumulated in double.
 *
 * @param mean the mean subtracted from every pixel, finite
 * @param std  the standard deviation every pixel is divided by, positive and finite
 */
public record Standardization(double mean, double std) {
    /**
     * Checks the two values.
     *
     * @throws IllegalArgumentException if mean is not finite or std is not positive and finite
     */
    public Standardization {
        if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("standardisation needs a finite mean and a positive finite std, got mean "
                    + mean + ", std " + std);
        }
    }

    /**
     * Mean and population standard deviation of every pixel of {@code train}.
     *
     * @param train the training split (read, not changed)
     * @return the fitted standardisation
     * @throws IllegalArgumentException if every pixel has one value
     */
    public static Standardization fit(Dataset train) {
        Tensor x = train.images();
        long n = x.size();
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += x.get(i);
        }
        double mean = sum / n;
        // Second pass about the mean: avoids the cancellation of E[x^2] - E[x]^2.
        double squares = 0;
        for (long i = 0; i < n; i++) {
            double d = x.get(i) - mean;
            squares += d * d;
        }
        double std = Math.sqrt(squares / n);
        if (!(std > 0)) {
            throw new IllegalArgumentException(train.name() + ": every pixel equals " + mean
                    + ", so there is no spread to standardise by");
        }
        return new Standardization(mean, std);
    }

    /**
     * Standardises the pixels of {@code data} in place (once per data set).
     *
     * @param data a split, usually the training and then the test split
     * @throws IllegalStateException if {@code data} is already standardised
     */
    public void applyTo(Dataset data) {
        data.markStandardized(this);
        applyTo(data.images());
    }

    /**
     * Standardises every element of {@code x} in place, with the same float arithmetic as
     * {@link #applyTo(Dataset)}: rows scored elsewhere (a batch of a user's own data) then get the same bits.
     *
     * @param x host-readable values, changed in place
     */
    public void applyTo(Tensor x) {
        long n = x.size();
        float m = (float) mean;
        float inv = (float) (1.0 / std);
        for (long i = 0; i < n; i++) {
            x.set(i, (x.get(i) - m) * inv);
        }
    }
}
