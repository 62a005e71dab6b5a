package dev.panamax.autograd;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Mean cross-entropy on logits, {@code torch.nn.functional.cross_entropy(logits, y, reduction='mean')}:
 * <pre>
 *   logits (B,C), labels (B) class indices as floats -> loss [1]
 *   loss    = (1/B) sum_i [ logsumexp(logits_i) - logits_i[y_i] ]
 *   dlogits = dloss * (softmax(logits) - onehot(y)) / B
 * </pre>
 * Softmax, loss and the gradient come from one fused backend pass during forward (the gradient is
 * kept for backward), so the logits are read once.
 */
final class SoftmaxCrossEntropyOp extends Op {
    private final Variable logits;
    private final Variable labels;
    private final Tensor probs;
    /** (softmax - onehot) / B, written by the fused forward; null in no-grad mode. */
    private final Tensor dlogitsPerUnitLoss;

    SoftmaxCrossEntropyOp(Graph graph, Variable logits, Variable labels) {
        super(graph.newOutput("cross_entropy", new int[] {1}, logits));
        Tensor lv = logits.value();
        if (lv.rank() != 2 || labels.value().size() != lv.dim(0)) {
            throw new IllegalArgumentException("cross_entropy: logits " + lv.shapeString()
                    + " must be (B, classes) and labels " + labels.value().shapeString() + " must have B elements");
        }
        if (labels.requiresGrad()) {
            throw new IllegalArgumentException("cross_entropy: labels are class indices and take no gradient");
        }
        this.logits = logits;
        this.labels = labels;
        this.probs = graph.scratch(lv.shape());
        this.dlogitsPerUnitLoss = logits.requiresGrad() && graph.gradEnabled() ? graph.scratch(lv.shape()) : null;
    }

    /** softmax(logits) of the last forward. */
    public Tensor probabilities() {
        return probs;
    }

    @Override
    protected void forward(Compute compute) {
        int batch = logits.value().rows();
        compute.softmaxCrossEntropyMean(logits.value(), labels.value(), probs, dlogitsPerUnitLoss,
                (float) (1.0 / batch), output.value());
    }

    @Override
    protected void backward(Compute compute) {
        if (logits.requiresGrad()) {
            contribute(compute, logits, dlogitsPerUnitLoss, outputGradScalar(compute));
        }
    }
}
