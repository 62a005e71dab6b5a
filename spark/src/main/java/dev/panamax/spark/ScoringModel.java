package dev.panamax.spark;

import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A checkpoint loaded for scoring. Loaded models are kept per executor JVM and checkpoint file (keyed by path,
 * size and modification time, so a rewritten file is loaded again) and lent to one task at a time: as many are
 * loaded as tasks ever ran at once in the JVM, each once. Scores rows in batches with the checkpoint's own
 * input standardization, as {@code panamax eval} does.
 */
final class ScoringModel {
    static final int BATCH = 256;
    private static final ConcurrentHashMap<String, ConcurrentLinkedQueue<ScoringModel>> IDLE = new ConcurrentHashMap<>();

    private final String key;
    private final Path file;
    private final ModelSpec spec;
    private final Compute compute;
    private final Mlp model;
    private final Trainer trainer;
    private final Arena arena = Arena.ofShared();
    private final Tensor[] xs = new Tensor[2];
    private final Tensor[] ys = new Tensor[2];
    private final Tensor[] probs = new Tensor[2];

    /** A loaded model of {@code checkpoint} for this task alone; hand it back with {@link #release}. */
    static ScoringModel borrow(String checkpoint, String backend, int threads) {
        Path file = Path.of(checkpoint);
        String key;
        try {
            key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis()
                    + "|" + backend + "|" + threads;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint " + checkpoint, e);
        }
        ScoringModel idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        return idle != null ? idle : new ScoringModel(key, file, backend, threads);
    }

    static void release(ScoringModel model) {
        IDLE.get(model.key).add(model);
    }

    private ScoringModel(String key, Path file, String backend, int threads) {
        this.key = key;
        this.file = file;
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Map<String, String> meta = r.metadata();
            if (!ModelSpec.isCheckpoint(meta)) {
                throw new IllegalArgumentException(file + " is not a Panamax checkpoint (no model metadata)");
            }
            this.spec = ModelSpec.fromMetadata(meta, file.toString());
            Checkpoint.requireShapes(r, spec.sizes()); // before the model it claims is allocated
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint " + file, e);
        }
        this.compute = new Compute(Backends.create(backend, threads));
        this.model = Mlp.create(spec.sizes(), spec.activation(), 0, compute);
        try {
            Checkpoint.load(file, model, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the checkpoint " + file, e);
        }
        int[] sizes = spec.sizes();
        this.trainer = new Trainer(model, spec.loss(), null, compute, sizes[0], sizes[sizes.length - 1]);
    }

    int features() {
        return spec.sizes()[0];
    }

    /** Scores every row of one partition; a row of the wrong width or with a NaN stops it, naming the row. */
    List<Prediction> score(Iterator<float[]> rows, int partition) {
        int features = features();
        List<Prediction> out = new ArrayList<>();
        List<float[]> batch = new ArrayList<>(BATCH);
        long index = 0;
        while (rows.hasNext()) {
            float[] row = rows.next();
            if (row == null || row.length != features) {
                throw new IllegalArgumentException("row " + index + " of partition " + partition + " has "
                        + (row == null ? "no values" : row.length + " features") + "; " + file + " is a " + spec
                        + " model and takes " + features);
            }
            for (int j = 0; j < row.length; j++) {
                if (Float.isNaN(row[j])) {
                    throw new IllegalArgumentException("row " + index + " of partition " + partition + " has NaN at"
                            + " feature " + j + "; a model cannot score it (drop or impute such rows first)");
                }
            }
            batch.add(row);
            index++;
            if (batch.size() == BATCH) {
                scoreBatch(batch, out);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            scoreBatch(batch, out);
        }
        return out;
    }

    private void scoreBatch(List<float[]> batch, List<Prediction> out) {
        int n = batch.size();
        int slot = n == BATCH ? 0 : 1; // the full size and one odd last size: what the trainer caches graphs for
        int features = features();
        int classes = spec.sizes()[spec.sizes().length - 1];
        if (xs[slot] == null || xs[slot].dim(0) != n) {
            xs[slot] = Tensor.allocate(arena, n, features);
            ys[slot] = Tensor.allocate(arena, n);
            probs[slot] = Tensor.allocate(arena, n, classes);
        }
        Tensor x = xs[slot];
        float mean = (float) spec.inputMean();
        float inv = (float) (1.0 / spec.inputStd());
        for (int i = 0; i < n; i++) {
            float[] row = batch.get(i);
            for (int j = 0; j < features; j++) {
                // Standardization.applyTo's arithmetic, so scores equal panamax eval's
                x.set((long) i * features + j, spec.standardized() ? (row[j] - mean) * inv : row[j]);
            }
        }
        trainer.evalStep(x, ys[slot]);
        Tensor logits = trainer.lastLogits(false);
        compute.softmaxRows(logits, probs[slot]);
        compute.synchronize();
        for (int i = 0; i < n; i++) {
            float[] p = new float[classes];
            for (int c = 0; c < classes; c++) {
                p[c] = probs[slot].get((long) i * classes + c);
            }
            out.add(new Prediction(logits.argmaxOfRow(i), p));
        }
    }
}
