package dev.panamax.spark;

import dev.panamax.backend.Compute;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import ml.dmlc.xgboost4j.java.RabitTracker;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

import java.util.HashMap;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Synchronous data-parallel training on Spark, in one of two ways over one partition per shard.
 *
 * <p>{@link #epochs(int)}: one barrier stage runs whole epochs, one task per shard. Each step every task
 * computes its shard's share of the global batch's gradient, Rabit's all-reduce (XGBoost's, as
 * XGBoost4J-Spark uses it) sums the shares and hands every task the same bits, and every replica applies the
 * same optimizer step itself. The driver sends the weights and optimizer state at the stage's start and takes
 * them back from shard 0 at its end, with every replica's checksum. Spark's cost is paid once per stage, not
 * once per step (a job costs 10 ms or more even when empty; an all-reduce of the 784-256-10 model's 203,530
 * floats about 1-4 ms on loopback). Spark does not retry a failed barrier stage: the driver reruns the stage's
 * epochs from their start, with a new tracker, up to {@code spark.task.maxFailures} times.
 *
 * <p>{@link #step()}: one Spark job per step: every
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
    /** How long a finished epoch's tracker may take to see its workers leave. */
    private static final long TRACKER_WAIT_MILLIS = 60_000;
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
    private long allReduceNanos;
    private final String optimizerSpec;

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
        this.optimizerSpec = optimizerSpec;
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
        FlatParameters.requireFinite(sum, sum.length, "step " + globalStep);
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

    /**
     * One whole epoch as one barrier stage with Rabit's all-reduce (see the class doc); returns the mean over
     * its steps of the global batch's mean loss. Starts at an epoch's first step.
     */
    public double epoch() {
        return epochs(1)[0];
    }

    /**
     * {@code count} whole epochs as one barrier stage with Rabit's all-reduce (see the class doc): the stage's
     * fixed cost (starting its tasks, joining the all-reduce: tens of milliseconds) is paid once for all of
     * them, and the driver sees the weights only at the end. Returns each epoch's mean over its steps of the
     * global batch's mean loss. Starts at an epoch's first step.
     */
    public double[] epochs(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("epochs(count): count must be >= 1, got " + count);
        }
        if (stepInEpoch != 0) {
            throw new IllegalStateException("epochs() runs whole epochs; step() has run " + stepInEpoch
                    + " of this one's " + stepsPerEpoch + " steps");
        }
        long start = System.nanoTime();
        Broadcast<EpochStart> from = sc.broadcast(new EpochStart(FlatParameters.values(params),
                FlatParameters.stateValues(optimizer), optimizer.stepCount()));
        List<EpochResult> results;
        try {
            results = runEpochs(from, count);
        } finally {
            from.destroy();
        }
        long collected = System.nanoTime();
        jobNanos += collected - start;
        EpochResult first = results.get(0);
        long slowest = 0;
        long slowestAllReduce = 0;
        for (int shard = 0; shard < shards; shard++) {
            EpochResult r = results.get(shard);
            if (r.shard() != shard || r.weightsChecksum() != first.weightsChecksum()) {
                throw new IllegalStateException("epochs from " + epoch + ": the replica of shard " + r.shard()
                        + " ended with other weights than shard 0's (checksum " + Long.toHexString(r.weightsChecksum())
                        + ", shard 0 " + Long.toHexString(first.weightsChecksum()) + ")");
            }
            slowest = Math.max(slowest, r.computeNanos());
            slowestAllReduce = Math.max(slowestAllReduce, r.allReduceNanos());
        }
        if (FlatParameters.checksum(first.weights()) != first.weightsChecksum()) {
            throw new IllegalStateException("epochs from " + epoch + ": shard 0's weights changed on the way to the"
                    + " driver");
        }
        FlatParameters.setValues(params, first.weights());
        FlatParameters.setState(optimizer, first.optimizerState(), first.stepCount());
        slowestTaskNanos += slowest;
        allReduceNanos += slowestAllReduce;
        double[] losses = new double[count];
        double[] stepLoss = first.stepLoss();
        for (int s = 0; s < stepLoss.length; s++) {
            losses[s / stepsPerEpoch] += stepLoss[s] / stepsPerEpoch;
        }
        lastLoss = stepLoss[stepLoss.length - 1];
        lastCorrect = first.stepCorrect()[stepLoss.length - 1];
        globalStep += (long) count * stepsPerEpoch;
        epoch += count;
        driverNanos += System.nanoTime() - collected;
        return losses;
    }

    // the epochs' barrier stage, rerun from its start (the broadcast) with a new tracker when it fails: Spark
    // itself does not retry a failed barrier result stage
    private List<EpochResult> runEpochs(Broadcast<EpochStart> from, int count) {
        int attempts = sc.getConf().getInt("spark.task.maxFailures", 4);
        String host = sc.getConf().get("spark.driver.host", "127.0.0.1");
        TrainingPlan p = plan;
        int n = shards;
        int e = epoch;
        int steps = stepsPerEpoch;
        String spec = optimizerSpec;
        long failAt = plan.failFirstAttemptAtStep();
        long total = (long) count * steps;
        int failStep = failAt >= globalStep && failAt < globalStep + total ? (int) (failAt - globalStep) : -1;
        for (int attempt = 0; ; attempt++) {
            RabitTracker tracker = n > 1 ? newTracker(n, host) : null; // one shard sums nothing
            boolean done = false;
            try {
                // the tracker's address as it gives it (its port an Integer, which Rabit requires), in a map that
                // serializes
                HashMap<String, Object> rabit = tracker == null ? null : new HashMap<>(tracker.getWorkerArgs());
                int failHere = attempt == 0 ? failStep : -1;
                List<EpochResult> results = BarrierStage.run(shardIds, shard -> Replica.of(p, shard, n)
                        .epochs(e, count, steps, from.value(), spec, rabit, failHere));
                if (tracker != null) {
                    tracker.waitFor(TRACKER_WAIT_MILLIS); // every worker has shut down: the tracker's session is over
                }
                done = true;
                return results;
            } catch (Exception failure) { // SparkException, which Scala throws unchecked, or XGBoostError
                if (attempt + 1 >= attempts) {
                    throw new IllegalStateException("epochs from " + epoch + " failed " + attempts + " times"
                            + " (spark.task.maxFailures); the last failure: " + failure.getMessage(), failure);
                }
                System.err.println("panamax: epochs from " + epoch + " failed (" + firstLine(failure) + "); rerunning"
                        + " them from their start, attempt " + (attempt + 2) + " of " + attempts);
            } finally {
                if (tracker != null) {
                    stop(tracker, done);
                }
            }
        }
    }

    private static RabitTracker newTracker(int workers, String host) {
        try {
            RabitTracker tracker = new RabitTracker(workers, host);
            if (!tracker.start()) {
                throw new IllegalStateException("Rabit's tracker did not start on " + host);
            }
            return tracker;
        } catch (XGBoostError e) {
            throw new IllegalStateException("Rabit's tracker could not start on " + host, e);
        }
    }

    // after a failed epoch the tracker reports the connections it lost; that failure is already being handled
    private static void stop(RabitTracker tracker, boolean epochDone) {
        try {
            tracker.stop();
        } catch (XGBoostError e) {
            if (epochDone) {
                throw new IllegalStateException("Rabit's tracker did not stop after a complete epoch", e);
            }
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end);
    }

    /** Of the epochs' time, the seconds the slowest replica spent waiting in and running all-reduces. */
    public double allReduceSeconds() {
        return allReduceNanos / 1e9;
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
