package dev.panamax.spark;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.data.Dataset;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.DatasetSources;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataParallelTrainingTest {
    private static final int ROWS = 1024;
    private static final int SHARDS = 2;
    private static final int BATCH = 64;
    private static final int[] SIZES = {784, 32, 10};
    private static final String SGD = "sgd(lr=0.1,momentum=0.9)";

    @TempDir
    static Path data;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() throws IOException {
        LocalSpark.writeData(data, ROWS);
        sc = LocalSpark.start("panamax-data-parallel-test");
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static TrainingPlan plan(long failAt) {
        return new TrainingPlan(UUID.randomUUID().toString(), data.toString(), SIZES, Activation.RELU,
                Loss.CROSS_ENTROPY, Double.NaN, Double.NaN, BATCH, 42, "simd", 1, failAt);
    }

    /**
     * 20 distributed steps against 20 single-machine steps on the same global batches. The two differ only in
     * the order of float sums: the single machine's GEMM sums a weight's gradient over the 64 samples in one
     * pass, the distributed run sums 32 per shard and then adds the two shares, and each share's loss scale is
     * (32/64) * (1/32) instead of 1/64 (one more rounding). A sum of B terms reordered changes by at most about
     * B u times the sum of the terms' magnitudes (u = 2^-24): 64 u = 3.8e-6 of a step's update per step, so
     * over 20 steps at most about 20 x 3.8e-6 = 7.6e-5 of the total movement, before the small amplification
     * through the nonlinearity; 1e-4 of the largest movement is the bound checked, element by element.
     */
    @Test
    void twentyDistributedStepsEqualTwentySingleMachineStepsOnTheSameGlobalBatches() throws IOException {
        TrainingPlan plan = plan(-1);
        try (Compute compute = new Compute(Backends.create("simd", 1));
             DataParallelTrainer distributed = new DataParallelTrainer(sc, plan, SHARDS, ROWS, SGD, compute);
             DatasetPair pair = DatasetSources.directory(data).load();
             Arena arena = Arena.ofConfined();
             Mlp single = Mlp.create(SIZES, Activation.RELU, 42, compute);
             Optimizer optimizer = OptimizerSpec.parse(SGD).create(Parameter.of(single), compute);
             Trainer trainer = new Trainer(single, Loss.CROSS_ENTROPY, optimizer, compute, 784, 10)) {
            float[] initial = FlatParameters.values(Parameter.of(single));
            assertArrayEquals(initial, distributed.weights(), "both start from the seed's weights");
            Dataset train = pair.train();
            Tensor x = Tensor.allocate(arena, BATCH, 784);
            Tensor y = Tensor.allocate(arena, BATCH);
            for (int step = 0; step < 20; step++) {
                int epoch = step / distributed.stepsPerEpoch();
                int inEpoch = step % distributed.stepsPerEpoch();
                int at = 0;
                for (int shard = 0; shard < SHARDS; shard++) {
                    int start = BatchPlan.shardStart(ROWS, SHARDS, shard);
                    int[] rows = BatchPlan.rows(plan.seed(), epoch, shard, BatchPlan.shardRows(ROWS, SHARDS, shard),
                            plan.shardBatch(SHARDS), inEpoch);
                    for (int r : rows) {
                        MemorySegment.copy(train.images().segment(), (long) (start + r) * 784 * Float.BYTES,
                                x.segment(), (long) at * 784 * Float.BYTES, 784L * Float.BYTES);
                        y.set(at++, train.label(start + r));
                    }
                }
                float singleLoss = trainer.trainStep(x, y);
                double distributedLoss = distributed.step(); // throws if a replica loaded other weights than the driver sent
                assertEquals(singleLoss, distributedLoss, 1e-5 * Math.max(1, singleLoss), "loss at step " + step);
            }
            float[] expected = FlatParameters.values(Parameter.of(single));
            float[] actual = distributed.weights();
            double movement = 0;
            for (int i = 0; i < expected.length; i++) {
                movement = Math.max(movement, Math.abs(expected[i] - initial[i]));
            }
            assertTrue(movement > 1e-3, "training moved the weights (largest change " + movement + ")");
            double bound = 1e-4 * movement;
            for (int i = 0; i < expected.length; i++) {
                double diff = Math.abs(expected[i] - actual[i]);
                if (diff > bound) {
                    throw new AssertionError("weight " + i + ": single machine " + expected[i] + ", distributed "
                            + actual[i] + ", difference " + diff + " > " + bound);
                }
            }
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheRunEndsWithTheSameWeights() {
        float[] clean = run(plan(-1), 6);
        float[] retried = run(plan(3), 6);
        assertArrayEquals(clean, retried, "the driver sums shares in shard order: a retry changes no bit");
    }

    /**
     * Two epochs as barrier stages with Rabit's all-reduce against the same 32 steps as jobs summed on the
     * driver. With two shards the two sums are one float addition of the same two shares (a + b, in either
     * order, is one rounding of the same exact sum), and every replica then applies the same optimizer to the
     * same bits: the weights must agree bit for bit, the mean losses to float precision (the all-reduce sums the
     * loss in float, the driver in double).
     */
    @Test
    void epochsWithAllReduceEqualTheirStepsSummedOnTheDriverBitForBit() {
        try (Compute compute = new Compute(Backends.create("simd", 1));
             DataParallelTrainer byStep = new DataParallelTrainer(sc, plan(-1), SHARDS, ROWS, SGD, compute);
             DataParallelTrainer byEpoch = new DataParallelTrainer(sc, plan(-1), SHARDS, ROWS, SGD, compute)) {
            // epoch 0 as a stage of its own, then epochs 1 and 2 as one stage
            double[] epochLoss = new double[3];
            epochLoss[0] = byEpoch.epoch();
            float[] afterFirst = byEpoch.weights();
            double[] two = byEpoch.epochs(2);
            epochLoss[1] = two[0];
            epochLoss[2] = two[1];
            for (int e = 0; e < 3; e++) {
                double stepLoss = 0;
                for (int s = 0; s < byStep.stepsPerEpoch(); s++) {
                    stepLoss += byStep.step();
                }
                stepLoss /= byStep.stepsPerEpoch();
                assertEquals(stepLoss, epochLoss[e], 1e-5 * Math.max(1, stepLoss), "mean loss of epoch " + e);
                if (e == 0) {
                    assertArrayEquals(byStep.weights(), afterFirst, "weights after epoch 0");
                }
            }
            assertArrayEquals(byStep.weights(), byEpoch.weights(), "weights after epoch 2");
            assertEquals(byStep.globalStep(), byEpoch.globalStep());
            assertEquals(byStep.optimizer().stepCount(), byEpoch.optimizer().stepCount(),
                    "the driver's optimizer took back the replicas' step count");
        }
    }

    /** One shard joins no all-reduce (its share is the sum): the same bits as its steps summed on the driver. */
    @Test
    void oneShardRunsItsEpochsWithoutAnAllReduceAndMatchesItsSteps() {
        try (Compute compute = new Compute(Backends.create("simd", 1));
             DataParallelTrainer byStep = new DataParallelTrainer(sc, plan(-1), 1, ROWS, SGD, compute);
             DataParallelTrainer byEpoch = new DataParallelTrainer(sc, plan(-1), 1, ROWS, SGD, compute)) {
            for (int s = 0; s < 2 * byStep.stepsPerEpoch(); s++) {
                byStep.step();
            }
            byEpoch.epochs(2);
            assertArrayEquals(byStep.weights(), byEpoch.weights());
        }
    }

    @Test
    void anEpochWhoseFirstRunFailsIsRerunFromItsStartAndEndsWithTheSameWeights() {
        float[] clean = epochs(plan(-1), 2);
        float[] rerun = epochs(plan(19), 2); // step 19 is step 3 of epoch 1 (16 steps an epoch)
        assertArrayEquals(clean, rerun, "the rerun starts from the epoch's broadcast state: no bit changes");
    }

    @Test
    void aGlobalBatchThatDoesNotSplitEvenlyIsRefused() {
        TrainingPlan odd = new TrainingPlan("odd", data.toString(), SIZES, Activation.RELU, Loss.CROSS_ENTROPY,
                Double.NaN, Double.NaN, 63, 42, "simd", 1, -1);
        try (Compute compute = new Compute(Backends.create("simd", 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataParallelTrainer(sc, odd, SHARDS, ROWS, SGD, compute));
            assertTrue(e.getMessage().contains("multiple of the 2 shards"), e.getMessage());
        }
    }

    @Test
    void dataOfAnotherWidthFailsTheStepNamingBoth() {
        TrainingPlan wrong = new TrainingPlan(UUID.randomUUID().toString(), data.toString(), new int[] {100, 8, 10},
                Activation.RELU, Loss.CROSS_ENTROPY, Double.NaN, Double.NaN, BATCH, 42, "simd", 1, -1);
        try (Compute compute = new Compute(Backends.create("simd", 1));
             DataParallelTrainer t = new DataParallelTrainer(sc, wrong, SHARDS, ROWS, SGD, compute)) {
            Exception e = assertThrows(Exception.class, t::step);
            assertTrue(String.valueOf(e.getMessage()).contains("784 features per sample, the model takes 100"),
                    e.getMessage());
            Exception inEpoch = assertThrows(Exception.class, t::epoch);
            assertTrue(String.valueOf(inEpoch.getMessage()).contains("784 features per sample, the model takes 100"),
                    inEpoch.getMessage());
        }
    }

    private static float[] epochs(TrainingPlan plan, int epochs) {
        return trained(plan, t -> {
            for (int i = 0; i < epochs; i++) {
                t.epoch();
            }
        });
    }

    private static float[] run(TrainingPlan plan, int steps) {
        return trained(plan, t -> {
            for (int i = 0; i < steps; i++) {
                t.step();
            }
        });
    }

    // the weights after `training` on a trainer of its own
    private static float[] trained(TrainingPlan plan, java.util.function.Consumer<DataParallelTrainer> training) {
        try (Compute compute = new Compute(Backends.create("simd", 1));
             DataParallelTrainer t = new DataParallelTrainer(sc, plan, SHARDS, ROWS, SGD, compute)) {
            training.accept(t);
            return t.weights();
        }
    }
}
