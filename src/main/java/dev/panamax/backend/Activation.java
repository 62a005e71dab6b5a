package dev.panamax.backend;

/**
 * Pointwise activation functions the kernels know, with PyTorch's derivative conventions:
 * {@code relu'(a) = 1 if a > 0 else 0} (0 at a == 0), {@code sigmoid' = y(1-y)}, {@code tanh' = 1 - y^2},
 * the last two computed from the output y as torch does.
 */
public enum Activation {
    /** {@code f(a) = a}, derivative 1. */
    IDENTITY,
    /** {@code f(a) = max(a, 0)}; the derivative is read from the input a. */
    RELU,
    /** {@code f(a) = 1 / (1 + exp(-a))}; the derivative {@code y(1-y)} is read from the output y. */
    SIGMOID,
    /** {@code f(a) = tanh(a)}; the derivative {@code 1 - y^2} is read from the output y. */
    TANH;

    /**
     * Parses the lower-case name used on the command line ("relu", "sigmoid", "tanh", "identity").
     *
     * @param name the name, in any case
     * @return the activation of that name
     * @throws IllegalArgumentException if no activation has that name
     */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected relu, sigmoid, tanh or identity)");
    }

    /**
     * The lower-case name, as {@link #parse} reads it and the command line and checkpoints write it.
     *
     * @return "identity", "relu", "sigmoid" or "tanh"
     */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
