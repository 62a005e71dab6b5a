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
 * <p>Each builder method ({@link #linear}, {@link #relu}, ...) creates one op, allocates its
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
 *
 * <p>Every builder records its op at once and runs its forward, so it throws
 * {@link IllegalArgumentException} (naming the op and the shapes) when its inputs do not fit, before the
 * op joins the tape. The variables it returns belong to this graph: their tensors are freed by
 * {@link #close()}. A graph is not thread-safe; one thread records and replays it (the kernels it calls
 * may use worker threads of their own).
 */
public final class Graph implements AutoCloseable {
    private final Compute compute;
    private final boolean gradEnabled;
    private final Arena arena = Arena.ofShared();
    private final List<Op> tape = new ArrayList<>();
    private int counter;

    /**
     * An empty tape.
     *
     * @param compute     the checked kernels every op calls, and the allocator of its buffers; not owned
     * @param gradEnabled false for no-grad mode (evaluation): no gradient buffers, no {@link #backward}
     */
    public Graph(Compute compute, boolean gradEnabled) {
        this.compute = compute;
        this.gradEnabled = gradEnabled;
    }

    /**
     * The kernels this graph runs on.
     *
     * @return the {@code Compute} given to the constructor
     */
    public Compute compute() {
        return compute;
    }

    /**
     * Whether ops get gradient buffers and {@link #backward} may run.
     *
     * @return false in no-grad mode
     */
    public boolean gradEnabled() {
        return gradEnabled;
    }

    /** The arena that owns this graph's intermediate tensors; ops allocate their scratch here. */
    Arena arena() {
        return arena;
    }

    /**
     * An input leaf (no gradient) over a caller-owned tensor. Not recorded on the tape: a replay reads
     * whatever the tensor (or, after {@link Variable#setValue}, its replacement) holds then.
     *
     * @param name  the name used in messages
     * @param value the tensor, still owned by the caller
     * @return the leaf
     */
    public Variable input(String name, Tensor value) {
        return Variable.constant(name, value);
    }

    // ---------------------------------------------------------------- builders

    /**
     * x (B,in), w (out,in), b (out) or null -> x w^T + b (B,out), as torch.nn.functional.linear.
     *
     * @param x the input (B,in)
     * @param w the weight (out,in), PyTorch's layout
     * @param b the bias (out), or null for none
     * @return the output (B,out)
     * @throws IllegalArgumentException if x or w is not rank 2, their {@code in} differ, or the bias does not
     *         have {@code out} elements
     */
    public Variable linear(Variable x, Variable w, Variable b) {
        return record(new LinearOp(this, x, w, b));
    }

    /**
     * The op for {@code act}: {@link #relu}, {@link #sigmoid} or {@link #tanh}; identity records nothing.
     *
     * @param act the activation
     * @param x   the input
     * @return the activated output, x's shape ({@code x} itself for identity)
     */
    public Variable activation(Activation act, Variable x) {
        return switch (act) {
            case IDENTITY -> x;
            case RELU -> relu(x);
            case SIGMOID -> sigmoid(x);
            case TANH -> tanh(x);
        };
    }

    /**
     * {@code y = max(x, 0)}, elementwise; {@code dx = dy} where {@code x > 0}, else 0.
     *
     * @param x the input
     * @return the output, x's shape
     */
    public Variable relu(Variable x) {
        return record(new ReluOp(this, x));
    }

    /**
     * {@code y = 1 / (1 + exp(-x))}, elementwise; {@code dx = dy y (1 - y)}.
     *
     * @param x the input
     * @return the output, x's shape
     */
    public Variable sigmoid(Variable x) {
        return record(new SigmoidOp(this, x));
    }

    /**
     * {@code y = tanh(x)}, elementwise; {@code dx = dy (1 - y^2)}.
     *
     * @param x the input
     * @return the output, x's shape
     */
    public Variable tanh(Variable x) {
        return record(new TanhOp(this, x));
    }

    /**
     * {@code y = a + b}, elementwise; {@code da = dy}, {@code db = dy}.
     *
     * @param a the first operand
     * @param b the second operand, a's shape
     * @return the sum, a's shape
     * @throws IllegalArgumentException if the shapes differ
     */
    public Variable add(Variable a, Variable b) {
        return record(new AddOp(this, a, b));
    }

    /**
     * {@code y = a * b}, elementwise (computed on the host); {@code da = dy * b}, {@code db = dy * a}.
     *
     * @param a the first operand
     * @param b the second operand, a's shape
     * @return the product, a's shape
     * @throws IllegalArgumentException if the shapes differ
     */
    public Variable mul(Variable a, Variable b) {
        return record(new MulOp(this, a, b));
    }

    /**
     * The sum of all elements, accumulated in double (on the host); {@code dx = dy}.
     *
     * @param x the input, any shape
     * @return a scalar, shape [1]
     */
    public Variable sum(Variable x) {
        return record(new SumOp(this, x, false));
    }

    /**
     * The mean of all N elements, accumulated in double (on the host); {@code dx = dy / N}.
     *
     * @param x the input, any shape
     * @return a scalar, shape [1]
     */
    public Variable mean(Variable x) {
        return record(new SumOp(this, x, true));
    }

    /**
     * Row-wise softmax, {@code torch.softmax(x, dim=1)}: {@code y_ij = exp(x_ij) / sum_k exp(x_ik)}.
     *
     * @param x the logits (R,C)
     * @return the probabilities (R,C)
     */
    public Variable softmax(Variable x) {
        return record(new SoftmaxOp(this, x));
    }

    /**
     * Row-wise log-softmax, {@code torch.log_softmax(x, dim=1)}: {@code y_ij = x_ij - log sum_k exp(x_ik)}.
     *
     * @param x the logits (R,C)
     * @return the log-probabilities (R,C)
     */
    public Variable logSoftmax(Variable x) {
        return record(new LogSoftmaxOp(this, x));
    }

    /**
     * Mean cross-entropy of logits (B,C) against class labels (B) stored as floats, as
     * {@code torch.nn.functional.cross_entropy(logits, y, reduction='mean')}:
     * {@code (1/B) sum_i [logsumexp(logits_i) - logits_i[y_i]]}. Softmax, loss and gradient come from one
     * fused pass during forward.
     *
     * @param logits the logits (B,C)
     * @param labels the class index of each row (B), as floats; takes no gradient
     * @return the loss, shape [1]
     * @throws IllegalArgumentException if logits is not rank 2, labels do not hold B elements, or labels
     *         require a gradient
     */
    public Variable crossEntropy(Variable logits, Variable labels) {
        return record(new SoftmaxCrossEntropyOp(this, logits, labels));
    }

    /**
     * Mean squared error over all N elements, as torch.nn.functional.mse_loss(reduction='mean'):
     * {@code (1/N) sum (prediction - target)^2}, accumulated in double (on the host).
     *
     * @param prediction the prediction
     * @param target     the target, prediction's shape; it gets a gradient too if it requires one
     * @return the loss, shape [1]
     * @throws IllegalArgumentException if the shapes differ
     */
    public Variable mse(Variable prediction, Variable target) {
        return record(new MseLossOp(this, prediction, target));
    }

    /**
     * torch.nn.functional.gaussian_nll_loss(input, target, var, full, eps, reduction='mean'):
     * {@code (1/N) sum 0.5 (log v + (input - target)^2 / v)}, plus {@code 0.5 log(2 pi)} when full, where
     * {@code v = max(var, eps)} (clamped without gradient, as torch does). Computed on the host, in double.
     *
     * @param input    the predicted mean
     * @param target   the target, input's shape
     * @param variance the predicted variance, input's shape, no entry negative
     * @param full     whether to add the constant {@code 0.5 log(2 pi)}
     * @param eps      the clamp of the variance, {@code > 0} (torch's default is 1e-6)
     * @return the loss, shape [1]
     * @throws IllegalArgumentException if the shapes differ, eps is not positive, or (on any forward) the
     *         variance has a negative entry
     */
    public Variable gaussianNll(Variable input, Variable target, Variable variance, boolean full, float eps) {
        return record(new GaussianNllLossOp(this, input, target, variance, full, eps));
    }

    // ---------------------------------------------------------------- execution

    /**
     * Recomputes every op from the inputs' current values, in recording order.
     *
     * @throws IllegalArgumentException if an op refuses its inputs' current values (a negative variance,
     *         a label checked on the host that is not a class index)
     */
    public void forward() {
        for (int i = 0; i < tape.size(); i++) {
            tape.get(i).forward(compute);
        }
    }

    /**
     * Back-propagates from a scalar {@code loss} (shape [1]) with d loss = 1. Gradients of
     * intermediate nodes are recomputed from scratch; parameters' gradients accumulate.
     *
     * @param loss a variable of this graph with one element that depends on a parameter
     * @throws IllegalStateException if the graph is in no-grad mode or {@code loss} depends on no parameter
     * @throws IllegalArgumentException if {@code loss} does not hold exactly one element
     */
    public void backward(Variable loss) {
        backward(loss, 1f);
    }

    /**
     * Back-propagates {@code weight * loss}: every gradient is scaled by {@code weight}. A data-parallel
     * worker whose b samples are part of a global batch of B passes b / B, so that its gradients are its
     * share of the global batch's mean loss and the workers' sums add up to the single-machine gradient.
     *
     * @param loss   a scalar variable of this graph that depends on a parameter
     * @param weight the factor on every gradient; must be finite
     * @throws IllegalArgumentException if {@code weight} is not finite or {@code loss} is not a scalar
     * @throws IllegalStateException    if the graph was built without gradients or the loss reaches no parameter
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

    /**
     * Waits for queued kernels, then frees every intermediate tensor and gradient of this graph
     * (parameters and inputs stay their owners'). The graph and its variables are unusable after it.
     */
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
