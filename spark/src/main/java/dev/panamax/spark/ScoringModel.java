package dev.panamax.spark;

import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.data.Standardization;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Mlp;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    private final Arena arena;
    /** The checkpoint's input standardization, null when it was trained on raw inputs. */
    private final Standardization standardization;
    private final Tensor inputs;
    private final Tensor zeros;
    private final Tensor probs;

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
        // a rewritten checkpoint (new size or time) makes the idle models of its older versions garbage: free them
        String path = file.toAbsolutePath() + "|";
        for (String other : IDLE.keySet()) {
            if (other.startsWith(path) && !other.equals(key)) {
                ConcurrentLinkedQueue<ScoringModel> stale = IDLE.remove(other);
                if (stale != null) {
                    for (ScoringModel m; (m = stale.poll()) != null; ) {
                        m.close();
                    }
                }
            }
        }
        ScoringModel idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        return idle != null ? idle : new ScoringModel(key, file, backend, threads);
    }

    static void release(ScoringModel model) {
        ConcurrentLinkedQueue<ScoringModel> queue = IDLE.get(model.key);
        if (queue == null) {
            model.close(); // its checkpoint was rewritten while it scored: no later task will want it
        } else {
            queue.add(model);
        }
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
        int[] sizes = spec.sizes();
        Compute backendHere = new Compute(Backends.create(backend, threads));
        Mlp loaded = null;
        try {
            loaded = Mlp.create(sizes, spec.activation(), 0, backendHere);
            Checkpoint.load(file, loaded, null);
            this.trainer = new Trainer(loaded, spec.loss(), null, backendHere, sizes[0], sizes[sizes.length - 1]);
        } catch (IOException | RuntimeException e) {
            // a checkpoint that fails to load must not leave its backend and model behind on the executor
            try (backendHere; Mlp m = loaded) {
                throw e instanceof IOException io ? new UncheckedIOException("cannot load the checkpoint " + file, io)
                        : (RuntimeException) e;
            }
        }
        this.compute = backendHere;
        this.model = loaded;
        this.standardization = spec.standardized() ? new Standardization(spec.inputMean(), spec.inputStd()) : null;
        this.arena = Arena.ofShared();
        this.inputs = Tensor.allocate(arena, BATCH, sizes[0]);
        this.zeros = Tensor.allocate(arena, BATCH);
        this.probs = Tensor.allocate(arena, BATCH, sizes[sizes.length - 1]);
    }

    /** Frees the backend, the model and the buffers. */
    private void close() {
        try (arena; compute; model; trainer) {
            // the trainer's graphs, then the model, the backend and the buffers
        }
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
        int features = features();
        int classes = spec.sizes()[spec.sizes().length - 1];
        // always a full batch, a short last one padded with zero rows (rows are computed independently, and the
        // padding's outputs are dropped): one graph serves every partition, nothing is built or allocated per batch
        Tensor x = inputs;
        Tensor labels = zeros;
        Tensor p = probs;
        if (n < BATCH) {
            x.rows(n, BATCH - n).fill(0f);
        }
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(batch.get(i), 0, x.segment(), ValueLayout.JAVA_FLOAT, (long) i * features * Float.BYTES,
                    features);
        }
        if (standardization != null) {
            standardization.applyTo(x.rows(0, n)); // panamax eval's arithmetic, so the scores are eval's
        }
        trainer.evalStep(x, labels);
        Tensor logits = trainer.lastLogits(false);
        compute.softmaxRows(logits, p);
        compute.synchronize();
        for (int i = 0; i < n; i++) {
            float[] q = new float[classes];
            for (int c = 0; c < classes; c++) {
                q[c] = p.get((long) i * classes + c);
            }
            out.add(new Prediction(logits.argmaxOfRow(i), q));
        }
    }
}
