package dev.panamax.train;

import dev.panamax.backend.Compute;
import dev.panamax.data.BatchLoader;
import dev.panamax.data.DatasetPair;
import dev.panamax.io.AtomicFiles;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains an MLP classifier for a number of epochs: shuffled mini-batches, one optimizer step per batch,
 * a test-set evaluation and a checkpoint after every epoch, and exact resume.
 *
 * <p>Run folder (when given): {@value #CHECKPOINT} (model + optimizer state + metadata, atomic),
 * {@code metrics.jsonl}, {@code metrics.csv} and {@code training.png}, all rewritten after each epoch.
 *
 * <p>Resume: the batch order of epoch e depends only on (seed, e), and the checkpoint restores the
 * parameters and the optimizer state bit for bit, so a resumed run ends with the same weights, bit for
 * bit, as an uninterrupted one with the same seed, backend and thread count.
 */
public final class TrainingSession implements AutoCloseable {
    public static final String CHECKPOINT = "last.safetensors";
    private static final String EPOCH_KEY = "epoch";
    private static final String SEED_KEY = "seed";
    private static final String BATCH_KEY = "batch_size";
    private static final String OPTIMIZER_SPEC_KEY = "optimizer_spec";
    private static final String DATASET_KEY = "dataset";
    private static final String HISTORY_KEY = "metrics_csv";
    private static final String DATA_KEY = "data";
    private static final String BACKEND_KEY = "backend";

    /** How a session runs. runDir may be null (no checkpoints, no metrics files). */
    public record Options(int epochs, int batchSize, long seed, Path runDir, boolean resume) {
        public Options {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            if (resume && runDir == null) {
                throw new IllegalArgumentException("resume needs a checkpoint folder");
            }
        }
    }

    /** Progress callbacks; both run on the training thread. */
    public interface Listener {
        /** After each batch: samples done in this epoch, running mean loss and accuracy. */
        default void batch(int epoch, long done, long total, double loss, double accuracy) {
        }

        /** After each epoch's evaluation and checkpoint. */
        default void epoch(EpochMetrics metrics, Path checkpoint) {
        }
    }

    private final ModelSpec spec;
    private final OptimizerSpec optimizerSpec;
    private final Compute compute;
    private final DatasetPair data;
    private final Options options;
    private final Mlp model;
    private final Optimizer optimizer;
    private final Trainer trainer;
    private final List<EpochMetrics> history = new ArrayList<>();
    private final List<String> notices = new ArrayList<>();
    private int nextEpoch = 1;

    public TrainingSession(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, DatasetPair data, Options options)
            throws IOException {
        this.spec = spec;
        this.optimizerSpec = optimizerSpec;
        this.compute = compute;
        this.data = data;
        this.options = options;
        int[] sizes = spec.sizes();
        if (sizes[0] != data.train().features() || sizes[sizes.length - 1] != data.train().classes()) {
            throw new IllegalArgumentException("model " + spec + " does not fit " + data.name() + " ("
                    + data.train().features() + " features, " + data.train().classes() + " classes)");
        }
        this.model = Mlp.create(sizes, spec.activation(), options.seed(), compute);
        Optimizer opt = null;
        Trainer tr = null;
        try {
            opt = optimizerSpec.create(Parameter.of(model), compute);
            tr = new Trainer(model, spec.loss(), opt, compute, sizes[0], sizes[sizes.length - 1]);
            this.optimizer = opt;
            this.trainer = tr;
            if (options.resume()) {
                restore();
            }
        } catch (IOException | RuntimeException e) {
            if (tr != null) {
                tr.close();
            }
            if (opt != null) {
                opt.close();
            }
            model.close();
            throw e;
        }
    }

    public Mlp model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Trainer trainer() {
        return trainer;
    }

    /** The first epoch {@link #run} will train (1, or the one after the checkpoint's). */
    public int nextEpoch() {
        return nextEpoch;
    }

    /** Things the user should know about the resume (for example a different backend). */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** Trains epochs {@link #nextEpoch()} .. options.epochs, returning every epoch's metrics so far. */
    public List<EpochMetrics> run(Listener listener) throws IOException {
        long trainSize = data.train().size();
        try (BatchLoader batches = new BatchLoader(data.train(), options.batchSize(), true, options.seed(), false)) {
            for (int epoch = nextEpoch; epoch <= options.epochs(); epoch++) {
                batches.startEpoch(epoch);
                long start = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long done = 0;
                while (batches.next()) {
                    int n = batches.currentBatchSize();
                    float loss = trainer.trainStep(batches.x(), batches.labels());
                    if (!Float.isFinite(loss)) {
                        throw new ArithmeticException("the loss became " + loss + " in epoch " + epoch + " after "
                                + done + " samples: lower the learning rate (" + optimizerSpec + ")");
                    }
                    lossSum += (double) loss * n;
                    correct += trainer.lastCorrect();
                    done += n;
                    listener.batch(epoch, done, trainSize, lossSum / done, (double) correct / done);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Evaluation test = Evaluation.run(trainer, data.test(), options.batchSize());
                EpochMetrics m = new EpochMetrics(epoch, lossSum / done, (double) correct / done, test.meanLoss(),
                        test.accuracy(), seconds, done / seconds);
                history.add(m);
                nextEpoch = epoch + 1;
                Path checkpoint = options.runDir() == null ? null : save(epoch);
                listener.epoch(m, checkpoint);
            }
        }
        return history();
    }

    private Path save(int epoch) throws IOException {
        Path dir = options.runDir();
        Files.createDirectories(dir);
        Map<String, String> meta = new HashMap<>(spec.toMetadata());
        meta.put(EPOCH_KEY, Integer.toString(epoch));
        meta.put(SEED_KEY, Long.toString(options.seed()));
        meta.put(BATCH_KEY, Integer.toString(options.batchSize()));
        meta.put(OPTIMIZER_SPEC_KEY, optimizerSpec.toString());
        meta.put(DATASET_KEY, data.name());
        meta.put(DATA_KEY, dataIdentity());
        meta.put(BACKEND_KEY, compute.backend().describe());
        StringBuilder csv = new StringBuilder();
        for (EpochMetrics m : history) {
            csv.append(m.toCsv()).append('\n');
        }
        meta.put(HISTORY_KEY, csv.toString());
        Path file = dir.resolve(CHECKPOINT);
        compute.synchronize(); // the model may live in a GPU's memory: let queued updates land first
        Checkpoint.save(file, model, optimizer, meta);
        writeMetrics(dir);
        return file;
    }

    private void writeMetrics(Path dir) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        StringBuilder csv = new StringBuilder(EpochMetrics.csvHeader()).append('\n');
        for (EpochMetrics m : history) {
            jsonl.append(m.toJson()).append('\n');
            csv.append(m.toCsv()).append('\n');
        }
        writeAtomically(dir.resolve("metrics.jsonl"), jsonl.toString());
        writeAtomically(dir.resolve("metrics.csv"), csv.toString());
        MetricsChart.write(dir.resolve("training.png"), data.label() + ", " + optimizerSpec.optimizerName(), history);
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        AtomicFiles.write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** What the model was trained on, precisely enough that a resume on other data is refused. */
    private String dataIdentity() {
        return data.label() + ", " + data.train().size() + " train samples";
    }

    private void restore() throws IOException {
        Path file = options.runDir().resolve(CHECKPOINT);
        if (!Files.isRegularFile(file)) {
            throw new IOException("cannot resume: no checkpoint " + file + " (train without --resume first)");
        }
        Map<String, String> meta;
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            meta = r.metadata();
        }
        // the settings first: a mismatch is then reported as such, not as a list of tensor shapes
        ModelSpec saved = ModelSpec.fromMetadata(meta, file.toString());
        List<String> mismatches = new ArrayList<>();
        if (!saved.equals(spec)) {
            mismatches.add("model " + saved + " vs requested " + spec);
        }
        compare(mismatches, meta, SEED_KEY, Long.toString(options.seed()));
        compare(mismatches, meta, BATCH_KEY, Integer.toString(options.batchSize()));
        compare(mismatches, meta, OPTIMIZER_SPEC_KEY, optimizerSpec.toString());
        compare(mismatches, meta, DATASET_KEY, data.name());
        compare(mismatches, meta, DATA_KEY, dataIdentity());
        if (!mismatches.isEmpty()) {
            throw new IOException("cannot resume from " + file + ": it was trained with different settings: "
                    + String.join("; ", mismatches));
        }
        String savedBackend = meta.get(BACKEND_KEY);
        if (savedBackend != null && !savedBackend.equals(compute.backend().describe())) {
            notices.add("the checkpoint was trained on " + savedBackend + "; resuming on " + compute.backend().describe()
                    + ": the result is not bit-identical to an uninterrupted run");
        }
        int savedEpoch;
        List<EpochMetrics> savedHistory = new ArrayList<>();
        try {
            savedEpoch = Integer.parseInt(meta.getOrDefault(EPOCH_KEY, "0"));
            for (String line : meta.getOrDefault(HISTORY_KEY, "").split("\n")) {
                if (!line.isBlank()) {
                    savedHistory.add(EpochMetrics.parseCsv(line));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": metadata '" + EPOCH_KEY + "' or '" + HISTORY_KEY + "' is malformed ("
                    + e.getMessage() + ")");
        }
        Checkpoint.load(file, model, optimizer);
        compute.synchronize(); // the optimizer state is copied in through the backend
        nextEpoch = savedEpoch + 1;
        history.addAll(savedHistory);
    }

    private static void compare(List<String> mismatches, Map<String, String> meta, String key, String requested) {
        String saved = meta.get(key);
        if (!requested.equals(saved)) {
            mismatches.add(key + " " + saved + " vs requested " + requested);
        }
    }

    @Override
    public void close() {
        trainer.close();
        optimizer.close();
        model.close();
    }
}
