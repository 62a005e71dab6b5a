package dev.panamax.train;

import dev.panamax.autograd.Variable;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Module;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.Tensor;

/**
 * One training or evaluation step of a classifier, with nothing allocated per step: the graph for
 * the full batch size and the one for a smaller last batch are each recorded once and replayed.
 *
 * <p>A step: bind the batch, replay forward, backward from the loss, one optimizer update,
 * zero the gradients (lazily). The loss and the number of correct predictions of the last step are
 * kept in fields so that nothing is boxed or returned as an object.
 *
 * <p>With an asynchronous backend (cuda) a step queues all its kernels and waits once, at its end,
 * when it copies the loss and the correct count to the host: every step returns with the backend
 * idle, so the host may read or write the model (checkpoints, evaluation) between steps.
 *
 * <p>The trainer owns only its recorded graphs ({@link #close()} frees them): the model, the optimizer and
 * the compute stay the caller's. It is not thread-safe; one thread steps it.
 */
public final class Trainer implements AutoCloseable {
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Compute compute;
    private final int features;
    private final int classes;
    /** Two slots are enough: every batch of an epoch has the full size except possibly the last. */
    private final BatchGraph[] trainGraphs = new BatchGraph[2];
    private final BatchGraph[] evalGraphs = new BatchGraph[2];
    private final Variable[] parameters;
    private float lastLoss;
    private int lastCorrect;
    /** Batch size of the last training step and of the last evaluation step (-1: none yet). */
    private int lastTrainBatch = -1;
    private int lastEvalBatch = -1;

    /**
     * A trainer for a classifier from {@code features} inputs to {@code classes} logits. {@code optimizer}
     * may be null for a trainer used only for {@link #evalStep}.
     *
     * @param model     the classifier, e.g. an {@link dev.panamax.nn.Mlp}
     * @param loss      the loss each step computes
     * @param optimizer the optimizer over the model's parameters, or null to evaluate only
     * @param compute   the kernels; tensors passed to the steps are host or this compute's memory
     * @param features  the input width, the model's first size
     * @param classes   the number of classes, the model's last size
     */
    public Trainer(Module model, Loss loss, Optimizer optimizer, Compute compute, int features, int classes) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.compute = compute;
        this.features = features;
        this.classes = classes;
        this.parameters = model.namedParameters().values().toArray(new Variable[0]);
    }

    /**
     * Trains on one batch: x (B,features), labels (B). Returns the batch's mean loss. The first step of a
     * batch size records its graph; later ones replay it.
     *
     * @param x      the inputs (B, features); read during the call only
     * @param labels the class index of each row (B), as floats
     * @return the batch's mean loss, before the update (NaN or infinite when training diverges)
     * @throws IllegalStateException if this trainer has no optimizer
     * @throws IllegalArgumentException if a shape does not fit or a label is not a class index
     */
    public float trainStep(Tensor x, Tensor labels) {
        if (optimizer == null) {
            throw new IllegalStateException("this trainer has no optimizer: it can only evaluate");
        }
        BatchGraph g = graphFor(trainGraphs, x.dim(0), true);
        lastTrainBatch = x.dim(0);
        g.bind(x, labels);
        g.graph.forward();
        g.graph.backward(g.loss);
        for (Variable p : parameters) {
            p.grad(compute); // a parameter the loss did not reach gets zeros, not a stale gradient
        }
        optimizer.step();
        for (Variable p : parameters) {
            p.zeroGrad(); // through the cached array: Module.zeroGrad() builds a name map
        }
        g.collectStats(); // the step's one wait (a GPU's), for the loss and the correct count
        lastLoss = g.lossValue();
        lastCorrect = g.correct();
        return lastLoss;
    }

    /**
     * Accumulates into the parameters' gradients {@code weight} times the gradient of the mean loss over
     * this batch, without an optimizer step and without zeroing them: a data-parallel worker's share of a
     * global batch (weight = this batch's size / the global batch's size). Returns the batch's mean loss;
     * {@link #lastCorrect()} counts this batch. The caller reads the gradients, then {@link #zeroGradients()}.
     *
     * @param x      the inputs (B, features); read during the call only
     * @param labels the class index of each row (B), as floats
     * @param weight the factor on this batch's mean loss (its share of the global batch)
     * @return the batch's mean loss, unweighted
     */
    public float accumulateGradients(Tensor x, Tensor labels, float weight) {
        BatchGraph g = graphFor(trainGraphs, x.dim(0), true);
        lastTrainBatch = x.dim(0);
        g.bind(x, labels);
        g.graph.forward();
        g.graph.backward(g.loss, weight);
        for (Variable p : parameters) {
            p.grad(compute); // a parameter the loss did not reach gets zeros, not a stale gradient
        }
        g.collectStats();
        lastLoss = g.lossValue();
        lastCorrect = g.correct();
        return lastLoss;
    }

    /** Forgets every parameter's gradient (after {@link #accumulateGradients}). */
    public void zeroGradients() {
        for (Variable p : parameters) {
            p.zeroGrad();
        }
    }

    /**
     * Evaluates one batch without gradients. Returns the batch's mean loss.
     *
     * @param x      the inputs (B, features); read during the call only
     * @param labels the class index of each row (B), as floats
     * @return the batch's mean loss
     * @throws IllegalArgumentException if a shape does not fit or a label is not a class index
     */
    public float evalStep(Tensor x, Tensor labels) {
        BatchGraph g = graphFor(evalGraphs, x.dim(0), false);
        lastEvalBatch = x.dim(0);
        g.bind(x, labels);
        g.graph.forward();
        g.collectStats();
        lastLoss = g.lossValue();
        lastCorrect = g.correct();
        return lastLoss;
    }

    /**
     * The mean loss of the last step, training or evaluation.
     *
     * @return the loss, 0 before any step
     */
    public float lastLoss() {
        return lastLoss;
    }

    /**
     * Correct predictions in the last step's batch.
     *
     * @return the number of rows whose largest logit is at the label
     */
    public int lastCorrect() {
        return lastCorrect;
    }

    /**
     * The logits of the last step (B,classes); valid until the next step.
     *
     * @param training true for the last {@link #trainStep}, false for the last {@link #evalStep}
     * @return the logits tensor of that step's graph (overwritten by the next step of its batch size)
     * @throws IllegalStateException if no step of that kind has run yet
     */
    public Tensor lastLogits(boolean training) {
        int batch = training ? lastTrainBatch : lastEvalBatch;
        for (BatchGraph g : training ? trainGraphs : evalGraphs) {
            if (g != null && g.batch == batch) {
                return g.logits.value();
            }
        }
        throw new IllegalStateException("no step has run yet");
    }

    private BatchGraph graphFor(BatchGraph[] slots, int batch, boolean grad) {
        for (BatchGraph g : slots) {
            if (g != null && g.batch == batch) {
                return g;
            }
        }
        int slot = slots[0] == null ? 0 : 1;
        if (slots[slot] != null) {
            slots[slot].close(); // a third batch size: replace the older odd-sized graph
        }
        slots[slot] = new BatchGraph(model, loss, compute, batch, features, classes, grad);
        return slots[slot];
    }

    /** Frees the recorded graphs; the model, optimizer and compute stay open. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (BatchGraph[] slots : new BatchGraph[][] {trainGraphs, evalGraphs}) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    try {
                        slots[i].close(); // each on its own: one failed wait must not leak the other graphs
                    } catch (RuntimeException e) {
                        if (failure == null) {
                            failure = e;
                        } else {
                            failure.addSuppressed(e);
                        }
                    }
                    slots[i] = null;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
