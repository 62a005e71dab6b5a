package dev.panamax.autograd;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

/**
 * Shared body of the pointwise activations: {@code y = act(x)}, {@code dx = dy * act'}.
 * The subclasses ({@link ReluOp}, {@link SigmoidOp}, {@link TanhOp}) hold each formula's Javadoc.
 */
abstract class ActivationOp extends Op {
    private final Activation act;
    private final Variable x;
    /** Holds dy * act' when x's gradient already has a contribution (then it is added). */
    private Tensor scratch;
    private final Graph graph;

    ActivationOp(Graph graph, Variable x, Activation act) {
        super(graph.newOutput(act.label(), x.value().shape(), x));
        this.graph = graph;
        this.act = act;
        this.x = x;
    }

    @Override
    protected final void forward(Compute compute) {
        compute.activation(act, x.value(), output.value());
    }

    @Override
    protected final void backward(Compute compute) {
        if (!x.requiresGrad()) {
            return;
        }
        Tensor dy = output.gradStorage();
        if (!x.claimGrad()) {
            compute.activationBackward(act, x.value(), output.value(), dy, x.gradStorage());
        } else {
            if (scratch == null) {
                scratch = graph.scratch(dy.shape());
            }
            compute.activationBackward(act, x.value(), output.value(), dy, scratch);
            compute.axpy(1f, scratch, x.gradStorage());
        }
    }
}
