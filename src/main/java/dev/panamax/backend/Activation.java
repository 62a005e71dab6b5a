package dev.panamax.backend;

/**
 * Pointwise activation functions the kernels know, with PyTorch's derivative conventions:
 * {@code relu'(a) = 1 if a > 0 else 0} (0 at a == 0), {@code sigmoid' = y(1-y)}, {@code tanh' = 1 - y^2},
 * the last two computed from the output y as torch does.
 */
public enum Activation {
    IDENTITY, RELU, SIGMOID, TANH;

    /** Parses the lower-case name used on the command line ("relu", "sigmoid", "tanh", "identity"). */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected relu, sigmoid, tanh or identity)");
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
