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

    /** {@code optimizer} may be null for a trainer used only for {@link #evalStep}. */
    public Trainer(Module model, Loss loss, Optimizer optimizer, Compute compute, int features, int classes) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.compute = compute;
        this.features = features;
        this.classes = classes;
        this.parameters = model.namedParameters().values().toArray(new Variable[0]);
    }

    /** Trains on one batch: x (B,features), labels (B). Returns the batch's mean loss. */
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

    /** Evaluates one batch without gradients. Returns the batch's mean loss. */
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

    public float lastLoss() {
        return lastLoss;
    }

    /** Correct predictions in the last step's batch. */
    public int lastCorrect() {
        return lastCorrect;
    }

    /** The logits of the last step (B,classes); valid until the next step. */
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
