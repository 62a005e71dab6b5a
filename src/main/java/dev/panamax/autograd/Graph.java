package dev.panamax.autograd;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A reverse-mode autograd tape that is recorded once and replayed.
 *
 * <p>Each builder method ({@link #linear}, {@link #relu}, ...) creates one {@link Op}, allocates its
 * output (and gradient) in the graph's arena, runs its forward immediately (eager, so results are
 * visible while recording) and appends it to the tape. After that, {@link #forward()} recomputes
 * every op in order from the inputs' current values and {@link #backward(Variable)} runs the tape in
 * reverse. A training loop records the graph for a batch shape once and replays it every step:
 * no op, tensor or closure is allocated per step.
 *
 * <p>A graph built with {@code gradEnabled == false} (no-grad mode, for evaluation) allocates no
 * gradient buffers and refuses {@link #backward}.
 *
 * <p>Intermediate buffers live in a shared arena because multi-threaded kernels touch them from
 * worker threads; closing the graph frees them (parameters belong to their module, not the graph).
 * They are allocated through the {@link Compute} ({@link Compute#allocate}), so with the cuda backend
 * they live on the GPU and a replay moves no data: ops queue kernels, and the host waits only where
 * an op computes on the host or where the caller reads a result.
 */
public final class Graph implements AutoCloseable {
    private final Compute compute;
    private final boolean gradEnabled;
    private final Arena arena = Arena.ofShared();
    private final List<Op> tape = new ArrayList<>();
    private int counter;

    public Graph(Compute compute, boolean gradEnabled) {
        this.compute = compute;
        this.gradEnabled = gradEnabled;
    }

    public Compute compute() {
        return compute;
    }

    public boolean gradEnabled() {
        return gradEnabled;
    }

    /** The arena that owns this graph's intermediate tensors; ops allocate their scratch here. */
    Arena arena() {
        return arena;
    }

    /** An input leaf (no gradient) over a caller-owned tensor. */
    public Variable input(String name, Tensor value) {
        return Variable.constant(name, value);
    }

    // ---------------------------------------------------------------- builders

    /** x (B,in), w (out,in), b (out) or null -> x w^T + b (B,out), as torch.nn.functional.linear. */
    public Variable linear(Variable x, Variable w, Variable b) {
        return record(new LinearOp(this, x, w, b));
    }

    public Variable activation(Activation act, Variable x) {
        return switch (act) {
            case IDENTITY -> x;
            case RELU -> relu(x);
            case SIGMOID -> sigmoid(x);
            case TANH -> tanh(x);
        };
    }

    public Variable relu(Variable x) {
        return record(new ReluOp(this, x));
    }

    public Variable sigmoid(Variable x) {
        return record(new SigmoidOp(this, x));
    }

    public Variable tanh(Variable x) {
        return record(new TanhOp(this, x));
    }

    public Variable add(Variable a, Variable b) {
        return record(new AddOp(this, a, b));
    }

    public Variable mul(Variable a, Variable b) {
        return record(new MulOp(this, a, b));
    }

    public Variable sum(Variable x) {
        return record(new SumOp(this, x, false));
    }

    public Variable mean(Variable x) {
        return record(new SumOp(this, x, true));
    }

    public Variable softmax(Variable x) {
        return record(new SoftmaxOp(this, x));
    }

    public Variable logSoftmax(Variable x) {
        return record(new LogSoftmaxOp(this, x));
    }

    /** Mean cross-entropy of logits (B,C) against class labels (B) stored as floats. */
    public Variable crossEntropy(Variable logits, Variable labels) {
        return record(new SoftmaxCrossEntropyOp(this, logits, labels));
    }

    /** Mean squared error over all elements, as torch.nn.functional.mse_loss(reduction='mean'). */
    public Variable mse(Variable prediction, Variable target) {
        return record(new MseLossOp(this, prediction, target));
    }

    /** torch.nn.functional.gaussian_nll_loss(input, target, var, full, eps, reduction='mean'). */
    public Variable gaussianNll(Variable input, Variable target, Variable variance, boolean full, float eps) {
        return record(new GaussianNllLossOp(this, input, target, variance, full, eps));
    }

    // ---------------------------------------------------------------- execution

    /** Recomputes every op from the inputs' current values. */
    public void forward() {
        for (int i = 0; i < tape.size(); i++) {
            tape.get(i).forward(compute);
        }
    }

    /**
     * Back-propagates from a scalar {@code loss} (shape [1]) with d loss = 1. Gradients of
     * intermediate nodes are recomputed from scratch; parameters' gradients accumulate.
     */
    public void backward(Variable loss) {
        backward(loss, 1f);
    }

    /**
     * Back-propagates {@code weight * loss}: every gradient is scaled by {@code weight}. A data-parallel
     * worker whose b samples are part of a global batch of B passes b / B, so that its gradients are its
     * share of the global batch's mean loss and the workers' sums add up to the single-machine gradient.
     */
    public void backward(Variable loss, float weight) {
        if (!Float.isFinite(weight)) {
            throw new IllegalArgumentException("backward's loss weight must be finite, got " + weight);
        }
        if (!gradEnabled) {
            throw new IllegalStateException("backward on a graph built in no-grad mode");
        }
        if (loss.value().size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got " + loss.value().shapeString());
        }
        if (!loss.requiresGrad()) {
            throw new IllegalStateException(loss.name() + " does not depend on any parameter");
        }
        for (int i = 0; i < tape.size(); i++) {
            Variable out = tape.get(i).output();
            if (out.requiresGrad()) {
                out.zeroGrad();
            }
        }
        loss.seedGrad(weight);
        compute.fill(loss.gradStorage(), weight);
        for (int i = tape.size() - 1; i >= 0; i--) {
            Op op = tape.get(i);
            Variable out = op.output();
            if (out.requiresGrad() && !out.gradIsEmpty()) {
                op.backward(compute);
            }
        }
    }

    @Override
    public void close() {
        try {
            compute.synchronize(); // queued kernels may still use these buffers
        } finally {
            arena.close(); // even after a failed wait (a faulted GPU runs nothing more)
        }
    }

    // ---------------------------------------------------------------- for ops

    /** Allocates an op's output; it gets a gradient buffer when grad is on and any input needs one. */
    Variable newOutput(String kind, int[] shape, Variable... inputs) {
        boolean needsGrad = false;
        if (gradEnabled) {
            for (Variable v : inputs) {
                needsGrad |= v != null && v.requiresGrad();
            }
        }
        Tensor value = compute.allocate(arena, shape);
        Tensor grad = needsGrad ? compute.allocate(arena, shape) : null;
        return new Variable(kind + "#" + (counter++), value, grad);
    }

    Tensor scratch(int... shape) {
        return compute.allocate(arena, shape);
    }

    private Variable record(Op op) {
        op.forward(compute);
        tape.add(op);
        return op.output();
    }
}
