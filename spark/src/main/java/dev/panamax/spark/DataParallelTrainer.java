package dev.panamax.spark;

import dev.panamax.backend.Compute;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Synchronous data-parallel training on Spark. Each step is one Spark job over one partition per shard: every
 * task reads the step's weights from a broadcast, computes its shard's share of the global batch's gradient
 * with Panamax ({@link Replica}), and returns it; the driver sums the shares in shard order, applies one
 * optimizer step to its master copy, and broadcasts the new weights for the next step.
 *
 * <p>Why this shape: summing on the driver in shard order makes a step's float sums the same whatever order
 * tasks finish in, so a retried task (or a rerun) gives the same weights bit for bit, and the replicas are
 * bitwise equal by construction: every one computes with the one broadcast copy of the driver's weights (each
 * task reports a checksum of the weights it loaded, compared here with the driver's, so a copy gone wrong on
 * the way would stop the run). One
 * optimizer copy on the driver also means no optimizer state to rebuild when an executor is lost. The cost is
 * one collect of shards x parameters floats per step: 0.8 MB per shard for the 784-256-10 MLP, small next to
 * the job's own scheduling cost; for hundreds of shards a treeAggregate would be the better sum.
 */
public final class DataParallelTrainer implements AutoCloseable {
    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final int shards;
    private final int stepsPerEpoch;
    private final Mlp model;
    private final List<Parameter> params;
    private final Optimizer optimizer;
    private final JavaRDD<Integer> shardIds;
    private int epoch;
    private int stepInEpoch;
    private long globalStep;
    private double lastLoss;
    private int lastCorrect;
    private long jobNanos;
    private long slowestTaskNanos;
    private long driverNanos;

    /**
     * @param trainRows rows of the training set in {@code plan.dataDir()} (the driver's own copy decides it)
     * @param compute   the driver's backend, for the master weights and the optimizer step
     */
    public DataParallelTrainer(JavaSparkContext sc, TrainingPlan plan, int shards, int trainRows,
                               String optimizerSpec, Compute compute) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, got " + shards);
        }
        this.sc = sc;
        this.plan = plan;
        this.shards = shards;
        this.stepsPerEpoch = BatchPlan.stepsPerEpoch(trainRows, shards, plan.shardBatch(shards));
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("a global batch of " + plan.globalBatch() + " over " + shards
                    + " shards needs at least " + plan.shardBatch(shards) + " rows per shard; the training set has "
                    + trainRows + " rows");
        }
        this.model = Mlp.create(plan.sizes(), plan.activation(), plan.seed(), compute);
        this.params = Parameter.of(model);
        this.optimizer = OptimizerSpec.parse(optimizerSpec).create(params, compute);
        // cached, so that each shard's later tasks prefer the executor that holds its block (Spark schedules a
        // cached partition where it lives): a shard's replica is then built once, not on every executor it visits
        this.shardIds = sc.parallelize(IntStream.range(0, shards).boxed().toList(), shards)
                .persist(StorageLevel.MEMORY_ONLY());
        shardIds.count();
    }

    /** One global step; returns the global batch's mean loss. */
    public double step() {
        float[] weights = FlatParameters.values(params);
        long expected = FlatParameters.checksum(weights);
        Broadcast<float[]> broadcast = sc.broadcast(weights);
        TrainingPlan p = plan;
        int n = shards;
        int e = epoch;
        int s = stepInEpoch;
        long failAt = globalStep == plan.failFirstAttemptAtStep() ? globalStep : -1;
        List<ShardGradient> parts;
        long start = System.nanoTime();
        try {
            parts = shardIds.map(shard -> {
                boolean fail = failAt >= 0 && TaskContext.get().attemptNumber() == 0;
                return Replica.of(p, shard, n).gradient(e, s, broadcast.value(), fail);
            }).collect();
        } finally {
            broadcast.destroy();
        }
        long collected = System.nanoTime();
        jobNanos += collected - start;
        float[] sum = new float[weights.length];
        double lossSum = 0;
        int correct = 0;
        long slowest = 0;
        for (int shard = 0; shard < shards; shard++) {
            ShardGradient g = parts.get(shard); // collect keeps partition order: the sum's order is fixed
            if (g.shard() != shard) {
                throw new IllegalStateException("partition " + shard + " returned shard " + g.shard());
            }
            if (g.weightsChecksum() != expected) {
                throw new IllegalStateException("the replica of shard " + shard + " computed with other weights than"
                        + " the driver's (checksum " + Long.toHexString(g.weightsChecksum()) + ", expected "
                        + Long.toHexString(expected) + ")");
            }
            float[] gradient = g.gradient();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += gradient[i];
            }
            lossSum += g.lossSum();
            correct += g.correct();
            slowest = Math.max(slowest, g.computeNanos());
        }
        slowestTaskNanos += slowest;
        for (float v : sum) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("step " + globalStep + ": the gradient is not finite (NaN or"
                        + " infinity in the data, or a learning rate that diverged); weights left as they were");
            }
        }
        FlatParameters.setGradients(params, sum);
        optimizer.step();
        globalStep++;
        if (++stepInEpoch == stepsPerEpoch) {
            stepInEpoch = 0;
            epoch++;
        }
        lastLoss = lossSum / plan.globalBatch();
        lastCorrect = correct;
        driverNanos += System.nanoTime() - collected;
        return lastLoss;
    }

    /** Seconds spent so far in the steps' Spark jobs (broadcast, tasks, collect) and on the driver (sum, update). */
    public double jobSeconds() {
        return jobNanos / 1e9;
    }

    /** Of {@link #jobSeconds()}, the seconds the slowest replica of each step spent computing its share. */
    public double slowestTaskSeconds() {
        return slowestTaskNanos / 1e9;
    }

    public double driverSeconds() {
        return driverNanos / 1e9;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public long globalStep() {
        return globalStep;
    }

    /** Correct predictions in the last step's global batch (before its update). */
    public int lastCorrect() {
        return lastCorrect;
    }

    /** The master copy: the trained model (owned by this trainer, valid until close). */
    public Mlp model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The current weights, flattened in parameter order. */
    public float[] weights() {
        return FlatParameters.values(params);
    }

    /** Frees the master copy and every executor's replicas of this run. */
    @Override
    public void close() {
        String runId = plan.runId();
        try {
            shardIds.foreach(shard -> Replica.evict(runId)); // reaches the executors that hold the shards' blocks
        } finally {
            shardIds.unpersist(false);
            Replica.evict(runId); // the driver's JVM is an executor too in local mode
            try (model; optimizer) {
                // the optimizer's state, then the master weights
            }
        }
    }
}
