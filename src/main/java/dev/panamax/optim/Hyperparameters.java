package dev.panamax.optim;

/** Range checks shared by the optimizer configs; messages follow PyTorch's ("Invalid learning rate"). */
final class Hyperparameters {
    private Hyperparameters() {
    }

    static void atLeastZero(String optimizer, String name, double value) {
        finite(optimizer, name, value);
        if (!(value >= 0)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be >= 0, got " + value);
        }
    }

    /** {@code lo <= value <= hi}. */
    static void closed(String optimizer, String name, double value, double lo, double hi) {
        finite(optimizer, name, value);
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be in [" + lo + ", " + hi + "], got "
                    + value);
        }
    }

    /** {@code lo <= value < hi}. */
    static void halfOpen(String optimizer, String name, double value, double lo, double hi) {
        finite(optimizer, name, value);
        if (!(value >= lo && value < hi)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be in [" + lo + ", " + hi + "), got "
                    + value);
        }
    }

    static void finite(String optimizer, String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be a finite number, got " + value);
        }
    }
}
