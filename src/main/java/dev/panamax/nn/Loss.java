package dev.panamax.nn;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;

import java.util.Locale;

/**
 * The classification losses, each exactly as the PyTorch call named in its constant
 * (all with {@code reduction='mean'}); {@code logits} are the last layer's outputs (B, classes).
 */
public enum Loss {
    /** {@code F.cross_entropy(logits, y)}: log-softmax + negative log-likelihood, mean over the batch. */
    CROSS_ENTROPY("cross_entropy"),
    /** {@code F.mse_loss(torch.softmax(logits, 1), onehot(y))}: mean over all B*classes elements. */
    MSE("mse"),
    /**
     * {@code F.gaussian_nll_loss(logits, onehot(y), var=1, full=True, eps=1e-6)}: the logits are the
     * predicted means of a unit-variance Gaussian over the one-hot target (the maximum-likelihood view
     * of regression onto the one-hot code).
     */
    GAUSSIAN_NLL("gaussian_nll");

    /** eps of torch's gaussian_nll_loss default. */
    public static final float GAUSSIAN_NLL_EPS = 1e-6f;

    private final String label;

    Loss(String label) {
        this.label = label;
    }

    /**
     * PyTorch's name for the loss, as the command line and checkpoints write it.
     *
     * @return "cross_entropy", "mse" or "gaussian_nll"
     */
    public String label() {
        return label;
    }

    /**
     * Parses a loss name: a {@link #label()} in any case, '-' for '_', or the aliases "ce", "crossentropy",
     * "gaussian" and "nll_gaussian".
     *
     * @param name the name
     * @return the loss
     * @throws IllegalArgumentException if no loss has that name
     */
    public static Loss parse(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace('-', '_');
        for (Loss l : values()) {
            if (l.label.equals(key)) {
                return l;
            }
        }
        if (key.equals("ce") || key.equals("crossentropy")) {
            return CROSS_ENTROPY;
        }
        if (key.equals("nll_gaussian") || key.equals("gaussian")) {
            return GAUSSIAN_NLL;
        }
        throw new IllegalArgumentException("unknown loss '" + name + "' (expected cross_entropy, mse or gaussian_nll)");
    }

    /**
     * Whether this loss reads the one-hot encoding of the labels.
     *
     * @return true for MSE and Gaussian NLL
     */
    public boolean needsOneHot() {
        return this != CROSS_ENTROPY;
    }

    /**
     * Records the loss on the graph. {@code labels} (B) holds class indices as floats; {@code oneHot} (B,C)
     * and {@code variance} (B,C, all ones) are read only by the losses that need them.
     *
     * @param graph    the graph to record on
     * @param logits   the model's output (B,C)
     * @param labels   the class index of each row (B), as floats; read by cross-entropy
     * @param oneHot   the one-hot labels (B,C); read by MSE and Gaussian NLL, may be null for cross-entropy
     * @param variance all ones (B,C); read by Gaussian NLL, may be null for the others
     * @return the mean loss, shape [1]
     * @throws IllegalArgumentException if a shape does not fit the loss
     */
    public Variable record(Graph graph, Variable logits, Variable labels, Variable oneHot, Variable variance) {
        return switch (this) {
            case CROSS_ENTROPY -> graph.crossEntropy(logits, labels);
            case MSE -> graph.mse(graph.softmax(logits), oneHot);
            case GAUSSIAN_NLL -> graph.gaussianNll(logits, oneHot, variance, true, GAUSSIAN_NLL_EPS);
        };
    }
}
