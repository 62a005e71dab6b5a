package dev.panamax.spark;

import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.backend.KernelWarmup;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.DatasetSources;
import dev.panamax.data.Standardization;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;
import ml.dmlc.xgboost4j.java.Communicator;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An executor's copy of the model for one shard of one run: built on the executor the first time a task of
 * that shard runs there (the shard's rows read from the plan's IDX folder, the backend and its native
 * libraries loaded once per JVM), kept for the run's later steps, dropped by {@link #evict}.
 */
final class Replica implements AutoCloseable {
    private static final ConcurrentHashMap<String, Replica> LIVE = new ConcurrentHashMap<>();
    /** Gradient computations on a small batch at construction: past C2's thresholds (see KernelWarmup). */
    private static final int WARMUP_STEPS = KernelWarmup.DEFAULT_CALLS;
    /** Backends whose kernels some replica in this JVM has warmed up. */
    private static final java.util.Set<String> WARMED = ConcurrentHashMap.newKeySet();

    private final TrainingPlan plan;
    private final int shard;
    private final int shardBatch;
    private final Arena arena;
    private final Compute compute;
    private final Mlp model;
    private final List<Parameter> params;
    private final Trainer trainer;
    private final Tensor shardX;
    private final Tensor shardY;
    private final Tensor batchX;
    private final Tensor batchY;
    private final int features;
    /** The replica's own optimizer, for epochs run with all-reduce (built by the first, for its spec). */
    private Optimizer optimizer;
    private String optimizerSpec;

    static Replica of(TrainingPlan plan, int shard, int shards) {
        String key = plan.runId() + "/" + shards + "/" + shard;
        Replica r = LIVE.get(key);
        if (r != null) {
            return r;
        }
        evictOtherRuns(plan.runId()); // a run whose close() did not reach this executor frees its replicas here
        return LIVE.computeIfAbsent(key, k -> new Replica(plan, shard, shards));
    }

    /** Closes and forgets every replica of run {@code runId} in this JVM. */
    static void evict(String runId) {
        evictWhere(key -> key.startsWith(runId + "/"));
    }

    private static void evictOtherRuns(String runId) {
        evictWhere(key -> !key.startsWith(runId + "/"));
    }

    private static void evictWhere(java.util.function.Predicate<String> chosen) {
        for (String key : LIVE.keySet()) {
            if (chosen.test(key)) {
                Replica r = LIVE.remove(key); // atomic: of two tasks evicting at once, one closes each replica
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    private Replica(TrainingPlan plan, int shard, int shards) {
        this.plan = plan;
        this.shard = shard;
        this.shardBatch = plan.shardBatch(shards);
        int[] sizes = plan.sizes();
        this.features = sizes[0];
        Arena memory = Arena.ofShared();
        Compute backend = null;
        Mlp replica = null;
        try {
            Tensor x;
            Tensor y;
            try (DatasetPair pair = DatasetSources.directory(Path.of(plan.dataDir())).load()) {
                Dataset train = pair.train();
                if (train.features() != features) {
                    throw new IllegalArgumentException(plan.dataDir() + " has " + train.features()
                            + " features per sample, the model takes " + features);
                }
                if (plan.standardized()) {
                    new Standardization(plan.inputMean(), plan.inputStd()).applyTo(train);
                }
                int start = BatchPlan.shardStart(train.size(), shards, shard);
                int rows = BatchPlan.shardRows(train.size(), shards, shard);
                x = Tensor.allocate(memory, rows, features);
                y = Tensor.allocate(memory, rows);
                MemorySegment.copy(train.images().segment(), (long) start * features * Float.BYTES, x.segment(), 0,
                        (long) rows * features * Float.BYTES);
                for (int i = 0; i < rows; i++) {
                    y.set(i, train.label(start + i));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("shard " + shard + ": cannot read the training data in "
                        + plan.dataDir(), e);
            }
            backend = new Compute(Backends.create(plan.backend(), plan.threads()));
            replica = Mlp.create(sizes, plan.activation(), plan.seed(), backend);
            this.trainer = new Trainer(replica, plan.loss(), null, backend, features, sizes[sizes.length - 1]);
            this.shardX = x;
            this.shardY = y;
        } catch (RuntimeException | Error e) {
            // nothing of a replica that failed to build may outlive it: the executor runs other tasks after this one
            try (memory; Compute c = backend; Mlp m = replica) {
                throw e;
            }
        }
        this.arena = memory;
        this.compute = backend;
        this.model = replica;
        this.params = Parameter.of(model);
        this.batchX = Tensor.allocate(arena, shardBatch, features);
        this.batchY = Tensor.allocate(arena, shardBatch);
        warmUp();
    }

    /**
     * Compiles the step's kernels before the first real step, as {@code panamax train} does: until C2 has
     * compiled a Vector API kernel every vector operation is an object, and the first steps at the real batch
     * run many times slower than the later ones. Kernels on small shapes reach the same compiled code.
     */
    private void warmUp() {
        if (!WARMED.add(plan.backend())) {
            return; // compiled code is the JVM's: one replica per backend kind warms it for all
        }
        KernelWarmup.run(compute.backend(), KernelWarmup.DEFAULT_CALLS, false);
        int rows = Math.min(16, shardBatch);
        Tensor x = batchX.rows(0, rows);
        Tensor y = batchY.rows(0, rows);
        for (int i = 0; i < rows; i++) {
            MemorySegment.copy(shardX.segment(), (long) i * features * Float.BYTES, x.segment(),
                    (long) i * features * Float.BYTES, (long) features * Float.BYTES);
            y.set(i, shardY.get(i));
        }
        for (int i = 0; i < WARMUP_STEPS; i++) {
            trainer.accumulateGradients(x, y, 1f);
            trainer.zeroGradients();
        }
    }

    /**
     * This shard's share of step {@code step} of {@code epoch}, computed with {@code weights}. {@code fail}
     * (TrainingPlan's testing aid) throws after the gradient is computed, before it is returned.
     */
    synchronized ShardGradient gradient(int epoch, int step, float[] weights, boolean fail) {
        long start = System.nanoTime();
        FlatParameters.setValues(params, weights);
        long checksum = FlatParameters.checksum(FlatParameters.values(params));
        float meanLoss;
        float[] gradient;
        try {
            meanLoss = accumulateShare(epoch, step);
            if (fail) {
                throw new IllegalStateException("injected failure of the first attempt at step " + epoch + "." + step
                        + ", after its gradient was accumulated");
            }
            gradient = FlatParameters.gradients(params);
        } finally {
            trainer.zeroGradients(); // also after a failure: a retried attempt must start from zero gradients
        }
        return new ShardGradient(shard, gradient, (double) meanLoss * shardBatch, trainer.lastCorrect(), checksum,
                System.nanoTime() - start);
    }

    /**
     * Runs epochs {@code firstEpoch} to {@code firstEpoch + epochs - 1} from {@code start}, inside a barrier stage
     * of one task per shard:
     * each step this shard's share of the gradient (and of the loss and correct count) is summed with the other
     * shards' by Rabit's all-reduce, which hands every replica the same bits, and this replica applies its own
     * optimizer step to them; so the replicas stay bitwise equal without the driver. {@code rabit}: the
     * tracker's worker arguments, null for a single shard (whose share is the sum). {@code failAtStep} (a testing aid, -1 for none; counted from the first epoch's
     * first step) throws before that step's all-reduce.
     */
    synchronized EpochResult epochs(int firstEpoch, int epochs, int stepsPerEpoch, EpochStart start, String spec,
                                    Map<String, Object> rabit, int failAtStep) {
        int steps = epochs * stepsPerEpoch;
        if (optimizer == null || !spec.equals(optimizerSpec)) {
            if (optimizer != null) {
                optimizer.close();
            }
            optimizer = OptimizerSpec.parse(spec).create(params, compute);
            optimizerSpec = spec;
        }
        FlatParameters.setValues(params, start.weights());
        FlatParameters.setState(optimizer, start.optimizerState(), start.stepCount());
        int size = FlatParameters.size(params);
        float[] share = new float[size + 2]; // the gradient, then the loss sum and the correct count
        double[] stepLoss = new double[steps];
        int[] stepCorrect = new int[steps];
        long computeNanos = 0;
        long allReduceNanos = 0;
        boolean alone = rabit == null; // one shard: its share is the sum, no all-reduce to join
        if (!alone) {
            Map<String, Object> env = new HashMap<>(rabit);
            env.put("dmlc_task_id", Integer.toString(shard));
            init(env);
        }
        try {
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                float meanLoss;
                try {
                    meanLoss = accumulateShare(firstEpoch + s / stepsPerEpoch, s % stepsPerEpoch);
                    FlatParameters.gradientsInto(params, share);
                } finally {
                    trainer.zeroGradients();
                }
                share[size] = meanLoss * shardBatch;
                share[size + 1] = trainer.lastCorrect();
                if (s == failAtStep) {
                    throw new IllegalStateException("injected failure of the first run at step " + s + " of epochs "
                            + firstEpoch + "-" + (firstEpoch + epochs - 1) + ", before its all-reduce");
                }
                long t1 = System.nanoTime();
                float[] sum = alone ? share : Communicator.allReduce(share, Communicator.OpType.SUM);
                long t2 = System.nanoTime();
                FlatParameters.requireFinite(sum, size, "epoch " + (firstEpoch + s / stepsPerEpoch) + " step "
                        + s % stepsPerEpoch);
                FlatParameters.setGradientsFrom(params, sum); // its first size floats: the loss and count follow
                optimizer.step();
                stepLoss[s] = sum[size] / plan.globalBatch();
                stepCorrect[s] = Math.round(sum[size + 1]);
                computeNanos += (t1 - t0) + (System.nanoTime() - t2);
                allReduceNanos += t2 - t1;
            }
        } finally {
            if (!alone) {
                shutdown(); // also after a failure: a peer waiting in an all-reduce then fails too, rather than hang
            }
        }
        float[] weights = FlatParameters.values(params);
        boolean first = shard == 0;
        return new EpochResult(shard, FlatParameters.checksum(weights), first ? weights : null,
                first ? FlatParameters.stateValues(optimizer) : null, optimizer.stepCount(), stepLoss, stepCorrect,
                computeNanos, allReduceNanos);
    }

    // this shard's rows of step `step` of `epoch` into the batch buffers, and their share of the global batch's
    // mean loss accumulated into the gradients; returns the shard batch's mean loss
    private float accumulateShare(int epoch, int step) {
        int[] rows = BatchPlan.rows(plan.seed(), epoch, shard, shardY.dim(0), shardBatch, step);
        long rowBytes = (long) features * Float.BYTES;
        for (int i = 0; i < rows.length; i++) {
            MemorySegment.copy(shardX.segment(), rows[i] * rowBytes, batchX.segment(), i * rowBytes, rowBytes);
            batchY.set(i, shardY.get(rows[i]));
        }
        return trainer.accumulateGradients(batchX, batchY, (float) shardBatch / plan.globalBatch());
    }

    private static void init(Map<String, Object> env) {
        try {
            Communicator.init(env);
        } catch (XGBoostError e) {
            throw new IllegalStateException("Rabit: this task could not join the all-reduce (tracker " + env + ")", e);
        }
    }

    private static void shutdown() {
        try {
            Communicator.shutdown();
        } catch (XGBoostError e) {
            throw new IllegalStateException("Rabit: leaving the all-reduce failed", e);
        }
    }

    @Override
    public synchronized void close() {
        try (arena; compute; model; trainer; Optimizer o = optimizer) {
            // closed in reverse order: the optimizer, the trainer's graphs, the model, the backend, then the shard's memory
        }
    }
}
