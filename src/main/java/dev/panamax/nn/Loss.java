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

    public String label() {
        return label;
    }

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

    /** Whether this loss reads the one-hot encoding of the labels. */
    public boolean needsOneHot() {
        return this != CROSS_ENTROPY;
    }

    /**
     * Records the loss on the graph. {@code labels} (B) holds class indices as floats; {@code oneHot} (B,C)
     * and {@code variance} (B,C, all ones) are read only by the losses that need them.
     */
    public Variable record(Graph graph, Variable logits, Variable labels, Variable oneHot, Variable variance) {
        return switch (this) {
            case CROSS_ENTROPY -> graph.crossEntropy(logits, labels);
            case MSE -> graph.mse(graph.softmax(logits), oneHot);
            case GAUSSIAN_NLL -> graph.gaussianNll(logits, oneHot, variance, true, GAUSSIAN_NLL_EPS);
        };
    }
}
