package dev.panamax.train;

import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;

/**
 * The model + loss graph recorded once for one batch size and replayed for every batch of that
 * size. With a CPU backend, inputs are bound by re-pointing the input leaves at the loader's buffers
 * (no copy); with an asynchronous backend (cuda) the graph owns its inputs in the backend's memory and
 * each batch is copied in once, the step's only upload.
 */
final class BatchGraph implements AutoCloseable {
    final int batch;
    final Graph graph;
    final Variable x;
    final Variable labels;
    final Variable logits;
    final Variable loss;
    private final Variable oneHot;
    private final Arena inputs = Arena.ofShared();
    private final boolean oneHotNeeded;
    private final Compute compute;
    /** (mean loss, correct count) in backend memory, and its host copy read after each step. */
    private final Tensor stats;
    private final Tensor statsLoss;
    private final Tensor statsCorrect;
    private final Tensor statsOnHost;
    /** Where the one-hot targets are built when the graph's copy is in an asynchronous backend's memory, else null. */
    private final Tensor oneHotOnHost;

    // x (B,features), labels (B) -> logits (B,classes), loss [1]
    BatchGraph(Module model, Loss lossKind, Compute compute, int batch, int features, int classes, boolean grad) {
        this.batch = batch;
        this.compute = compute;
        this.graph = new Graph(compute, grad);
        this.x = graph.input("x", compute.allocate(inputs, batch, features));
        this.labels = graph.input("labels", compute.allocate(inputs, batch));
        this.oneHotNeeded = lossKind.needsOneHot();
        this.oneHot = graph.input("onehot", compute.allocate(inputs, batch, classes));
        this.oneHotOnHost = oneHotNeeded && compute.asynchronous() ? Tensor.allocate(inputs, batch, classes) : null;
        Tensor unitVariance = compute.allocate(inputs, batch, classes);
        compute.fill(unitVariance, 1f);
        Variable variance = graph.input("var", unitVariance);
        this.logits = model.forward(graph, x);
        if (logits.value().cols() != classes) {
            throw new IllegalArgumentException("the model outputs " + logits.value().cols() + " values per sample but the data has "
                    + classes + " classes");
        }
        this.loss = lossKind.record(graph, logits, labels, oneHot, variance);
        this.stats = compute.allocate(inputs, 2);
        this.statsLoss = stats.rows(0, 1); // views made once: a step allocates nothing
        this.statsCorrect = stats.rows(1, 1);
        this.statsOnHost = Tensor.allocate(inputs, 2);
    }

    /**
     * Points the graph at a batch: x (B,features), labels (B) as float class indices. With an
     * asynchronous backend the batch is copied into the graph's own inputs (queued), and the one-hot
     * targets are built in host memory and copied in the same way, so no host write touches backend
     * memory; labels are checked on the host whenever they are read there.
     */
    void bind(Tensor xBatch, Tensor labelBatch) {
        if (compute.asynchronous()) {
            if (!compute.isResident(labelBatch)) {
                // checked here, on the host, because the device-side loss cannot stop on a bad label (it
                // gives NaN); labels already in backend memory are not read back for it
                Compute.requireClassIndices(labelBatch, logits.value().cols());
            }
            compute.copy(xBatch, x.value());
            compute.copy(labelBatch, labels.value());
        } else {
            x.setValue(xBatch);
            labels.setValue(labelBatch);
        }
        if (oneHotNeeded) {
            int classes = oneHot.value().cols();
            if (compute.isResident(labelBatch)) {
                compute.synchronize(); // the one-hot targets are built on the host from the labels
                Compute.requireClassIndices(labelBatch, classes); // read anyway: a bad label must not write out of its row
            }
            // built in host memory, then copied in (queued like any call) when the graph's copy is the backend's
            Tensor oh = oneHotOnHost == null ? oneHot.value() : oneHotOnHost;
            oh.fill(0f);
            for (int i = 0; i < batch; i++) {
                oh.set((long) i * classes + (int) labelBatch.get(i), 1f);
            }
            if (oneHotOnHost != null) {
                compute.copy(oneHotOnHost, oneHot.value());
            }
        }
    }

    /**
     * Queues what the host needs from the step, the mean loss and the number of correct predictions,
     * into one small tensor in backend memory, and copies that to host memory: the step's one wait
     * (a copy into host memory completes before it returns), and the only bytes read back. Reading the
     * loss or logits in place would move their pages of unified memory to the host and back each step.
     */
    void collectStats() {
        compute.copy(loss.value(), statsLoss);
        compute.countCorrect(logits.value(), labels.value(), statsCorrect);
        compute.copy(stats, statsOnHost);
    }

    /** The mean loss of the last {@link #collectStats()}. */
    float lossValue() {
        return statsOnHost.get(0);
    }

    /** Rows of the last {@link #collectStats()} whose largest logit is at the label (ties to the first index, like torch.argmax). */
    int correct() {
        return (int) statsOnHost.get(1);
    }

    @Override
    public void close() {
        try {
            graph.close(); // waits for queued kernels, which may read the inputs too
        } finally {
            inputs.close();
        }
    }
}
