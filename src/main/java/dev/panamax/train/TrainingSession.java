package dev.panamax.train;

import dev.panamax.autograd.Variable;
import dev.panamax.backend.Compute;
import dev.panamax.data.BatchLoader;
import dev.panamax.data.DatasetPair;
import dev.panamax.io.AtomicFiles;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;

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
 *
 * <p>The session owns its model, optimizer and trainer (and the run folder it opened itself), and
 * {@link #close()} frees them; the compute and the data stay the caller's. It is not thread-safe.
 */
public final class TrainingSession implements AutoCloseable {
    /** The checkpoint's file name in the run folder. */
    public static final String CHECKPOINT = "last.safetensors";
    private static final String EPOCH_KEY = "epoch";
    private static final String SEED_KEY = "seed";
    private static final String BATCH_KEY = "batch_size";
    private static final String OPTIMIZER_SPEC_KEY = "optimizer_spec";
    private static final String DATASET_KEY = "dataset";
    private static final String HISTORY_KEY = "metrics_csv";
    private static final String DATA_KEY = "data";
    private static final String BACKEND_KEY = "backend";

    /**
     * How a session runs. runDir may be null (no checkpoints, no metrics files).
     *
     * @param epochs    the last epoch to train, {@code >= 1} (a resumed run continues up to it)
     * @param batchSize samples per step, {@code >= 1}
     * @param seed      the seed of the initial weights and of every epoch's batch order
     * @param runDir    the run folder, or null
     * @param resume    whether to continue from the run folder's checkpoint
     */
    public record Options(int epochs, int batchSize, long seed, Path runDir, boolean resume) {
        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException if epochs or batchSize is below 1, or resume has no run folder
         */
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
        /**
         * After each batch: samples done in this epoch, running mean loss and accuracy.
         *
         * @param epoch    the epoch, 1 first
         * @param done     training samples done in this epoch
         * @param total    training samples per epoch
         * @param loss     the mean training loss of the epoch so far
         * @param accuracy the training accuracy of the epoch so far, in [0, 1]
         */
        default void batch(int epoch, long done, long total, double loss, double accuracy) {
        }

        /**
         * After each epoch's evaluation and checkpoint.
         *
         * @param metrics    what the epoch measured
         * @param checkpoint the checkpoint just written, or null without a run folder
         */
        default void epoch(EpochMetrics metrics, Path checkpoint) {
        }

        /**
         * Something the user should know about the run as it goes (a loss that is running away).
         *
         * @param text one line, without a line break
         */
        default void warning(String text) {
        }
    }

    /**
     * A train loss this many times the lowest epoch's so far is a run diverging without (yet) becoming
     * NaN: a loss of cross-entropy over 10 classes starts near ln 10 = 2.3, so growth by three orders of
     * magnitude is no fluctuation.
     */
    static final double RUNAWAY_LOSS_FACTOR = 1000;

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
    private final RunFolder ownFolder;
    private int nextEpoch = 1;

    /**
     * A session; with a run folder in {@code options}, it locks the folder for its lifetime
     * ({@link RunFolder}: a second run on it is refused, a killed run's temporary files are removed).
     * The model is created with {@code options.seed()}; with {@code options.resume()} the checkpoint is
     * loaded at once.
     *
     * @param spec          the model to train; its first and last sizes must be the data's features and classes
     * @param optimizerSpec the optimizer
     * @param compute       the kernels, and the memory of the model and optimizer state; not owned
     * @param data          the training and test sets; not owned
     * @param options       epochs, batch size, seed, run folder and resume
     * @throws IOException if the run folder cannot be held, or the checkpoint to resume from is missing,
     *         unreadable or of other settings
     * @throws IllegalArgumentException if the model does not fit the data
     */
    public TrainingSession(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, DatasetPair data, Options options)
            throws IOException {
        this(spec, optimizerSpec, compute, data, options, null);
    }

    /**
     * As above, with the run folder already opened (and locked) by the caller, who keeps it and closes
     * it: the command line locks it before loading the data, so a second run is refused at once.
     *
     * @param spec          the model to train; its first and last sizes must be the data's features and classes
     * @param optimizerSpec the optimizer
     * @param compute       the kernels, and the memory of the model and optimizer state; not owned
     * @param data          the training and test sets; not owned
     * @param options       epochs, batch size, seed, run folder and resume
     * @param heldFolder    the opened run folder of {@code options.runDir()}, or null to open it here
     * @throws IOException if the run folder cannot be held, or the checkpoint to resume from is missing,
     *         unreadable or of other settings
     * @throws IllegalArgumentException if the model does not fit the data or the held folder is not the
     *         options' run folder
     */
    public TrainingSession(ModelSpec spec, OptimizerSpec optimizerSpec, Compute compute, DatasetPair data, Options options,
                           RunFolder heldFolder) throws IOException {
        if (heldFolder != null && (options.runDir() == null || !heldFolder.dir().equals(options.runDir()))) {
            throw new IllegalArgumentException("the held run folder " + heldFolder.dir() + " is not the options' "
                    + options.runDir());
        }
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
        RunFolder own = heldFolder == null && options.runDir() != null ? RunFolder.open(options.runDir(), CHECKPOINT) : null;
        this.ownFolder = own;
        if (own != null) {
            notices.addAll(own.notices());
        } else if (heldFolder != null) {
            notices.addAll(heldFolder.notices());
        }
        Mlp created = null;
        Optimizer opt = null;
        Trainer tr = null;
        try {
            created = Mlp.create(sizes, spec.activation(), options.seed(), compute);
            this.model = created;
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
            if (created != null) {
                created.close();
            }
            if (own != null) {
                own.close();
            }
            throw e;
        }
    }

    /**
     * The model being trained.
     *
     * @return the session's model, freed by {@link #close()}
     */
    public Mlp model() {
        return model;
    }

    /**
     * The optimizer of the model's parameters.
     *
     * @return the session's optimizer, freed by {@link #close()}
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The trainer that steps the model.
     *
     * @return the session's trainer, freed by {@link #close()}
     */
    public Trainer trainer() {
        return trainer;
    }

    /**
     * The first epoch {@link #run} will train (1, or the one after the checkpoint's).
     *
     * @return the epoch number
     */
    public int nextEpoch() {
        return nextEpoch;
    }

    /**
     * Things the user should know about the resume (for example a different backend).
     *
     * @return one line per notice, possibly none
     */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /**
     * Every epoch's metrics so far, a resumed run's earlier epochs included.
     *
     * @return a copy, in epoch order
     */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /**
     * Trains epochs {@link #nextEpoch()} .. options.epochs, returning every epoch's metrics so far.
     * After each epoch it evaluates the test set and, with a run folder, writes the checkpoint and the
     * metrics files.
     *
     * @param listener told of every batch, epoch and warning, on this thread
     * @return the history, as {@link #history()}
     * @throws IOException if a checkpoint or metrics file cannot be written
     * @throws ArithmeticException if the loss, the test loss or a parameter becomes NaN or infinite; the
     *         message names the epoch and what to change, and the previous epoch's checkpoint is kept
     */
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
                                + done + " samples; " + keptCheckpoint(epoch) + "; " + advice());
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
                requireFiniteModel(epoch, m);
                warnOfRunawayLoss(m, listener);
                history.add(m);
                nextEpoch = epoch + 1;
                Path checkpoint = options.runDir() == null ? null : save(epoch);
                listener.epoch(m, checkpoint);
            }
        }
        return history();
    }

    /**
     * A model is only checkpointed when every parameter and the test loss are finite: the training
     * loss is checked before each step's update, so the last update of an epoch can still leave NaN or
     * infinite weights, and writing them would replace the last good checkpoint with a broken one.
     */
    private void requireFiniteModel(int epoch, EpochMetrics m) {
        compute.synchronize(); // the parameters may live in a GPU's memory
        String broken = null;
        for (Map.Entry<String, Variable> e : model.namedParameters().entrySet()) {
            Tensor t = e.getValue().value();
            long bad = t.firstNonFinite();
            if (bad >= 0) {
                broken = e.getKey() + t.indexString(bad) + " = " + t.get(bad);
                break;
            }
        }
        if (broken == null && Double.isFinite(m.testLoss())) {
            return;
        }
        String what = broken != null ? "parameter " + broken : "the test loss " + m.testLoss();
        throw new ArithmeticException("epoch " + epoch + " diverged: " + what + " is not finite; " + keptCheckpoint(epoch)
                + "; " + advice());
    }

    /**
     * What to change: with eps = 0 an element whose running average of squared gradients is 0 (a weight
     * no sample reached yet) divides 0 by 0, whatever the learning rate; otherwise the step is too large.
     */
    private String advice() {
        if (optimizerSpec.number("eps").orElse(1) == 0) {
            return "eps=0 makes the update 0/0 wherever a gradient has been zero so far: give eps a positive value, as"
                    + " PyTorch's default does (" + optimizerSpec + ")";
        }
        return "lower the learning rate (" + optimizerSpec + ")";
    }

    /** What a run that stops in {@code epoch} leaves: the last finite checkpoint, if it wrote one. */
    private String keptCheckpoint(int epoch) {
        // epochs before this one were checkpointed, by this session or by the run it resumed
        return epoch > 1 && options.runDir() != null
                ? "the checkpoint of epoch " + (epoch - 1) + " in " + options.runDir() + " is kept"
                : "no checkpoint was written";
    }

    private void warnOfRunawayLoss(EpochMetrics m, Listener listener) {
        double lowest = Double.POSITIVE_INFINITY;
        for (EpochMetrics earlier : history) {
            lowest = Math.min(lowest, earlier.trainLoss());
        }
        if (lowest > 0 && m.trainLoss() > RUNAWAY_LOSS_FACTOR * lowest) {
            listener.warning(String.format(java.util.Locale.ROOT, "the train loss of epoch %d (%.4g) is over %.0f times"
                    + " the lowest so far (%.4g): the run is diverging; lower the learning rate (%s)",
                    m.epoch(), m.trainLoss(), RUNAWAY_LOSS_FACTOR, lowest, optimizerSpec));
        }
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
            // the spec's text omits the standardisation, so a difference in it alone would read "X vs X"
            mismatches.add(saved.toString().equals(spec.toString())
                    ? "input standardisation " + standardisation(saved) + " vs requested " + standardisation(spec)
                    : "model " + saved + " vs requested " + spec);
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
            // the run goes on from the epoch after it: a negative count would stop it only at its first epoch,
            // in the batch loader's words, naming neither this file nor the field (-1 would train an epoch 0)
            if (savedEpoch < 0 || savedEpoch == Integer.MAX_VALUE) {
                throw new IllegalArgumentException(EPOCH_KEY + " = " + savedEpoch + " is not a count of epochs done");
            }
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

    private static String standardisation(ModelSpec s) {
        return s.standardized() ? "mean " + s.inputMean() + ", std " + s.inputStd() + " (--standardize)" : "none";
    }

    private static void compare(List<String> mismatches, Map<String, String> meta, String key, String requested) {
        String saved = meta.get(key);
        if (!requested.equals(saved)) {
            mismatches.add(key + " " + saved + " vs requested " + requested);
        }
    }

    /**
     * Frees the trainer, the optimizer and the model, and releases the run folder the session opened.
     *
     * @throws java.io.UncheckedIOException if the run folder's lock cannot be released
     */
    @Override
    public void close() {
        try {
            trainer.close();
            optimizer.close();
            model.close();
        } finally {
            if (ownFolder != null) {
                try {
                    ownFolder.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("releasing the run folder " + ownFolder.dir(), e);
                }
            }
        }
    }
}
