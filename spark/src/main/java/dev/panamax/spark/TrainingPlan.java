package dev.panamax.spark;

import dev.panamax.backend.Activation;
import dev.panamax.nn.Loss;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything an executor needs to build its replica and compute its share of a step, shipped with each task
 * (a few hundred bytes; the weights travel separately, as a broadcast).
 *
 * @param runId                  tells apart runs that share executor JVMs (replicas are cached per run and shard)
 * @param dataDir                a folder of MNIST-style IDX files that every executor can read (a shared or copied path)
 * @param sizes                  layer sizes, e.g. 784, 256, 10
 * @param activation             hidden-layer activation
 * @param loss                   the loss, mean-reduced over the global batch
 * @param inputMean              standardization mean applied by every executor to its data (NaN: none)
 * @param inputStd               standardization standard deviation
 * @param globalBatch            samples per step over all shards together; a multiple of the shard count
 * @param seed                   seeds the initial weights and every epoch's per-shard shuffle
 * @param backend                the Panamax backend each executor computes with (simd, blas, scalar)
 * @param threads                threads of each executor's backend: spark.task.cpus, so cores are not oversubscribed
 * @param failFirstAttemptAtStep a testing aid: the first attempt of every task of this global step fails after
 *                               computing its gradient (-1: never); in an epoch run with all-reduce, the
 *                               epoch's first run fails there
 */
public record TrainingPlan(String runId, String dataDir, int[] sizes, Activation activation, Loss loss, double inputMean,
                           double inputStd, int globalBatch, long seed, String backend, int threads,
                           long failFirstAttemptAtStep) implements Serializable {

    public TrainingPlan {
        sizes = sizes.clone();
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a model needs at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        if (globalBatch < 1) {
            throw new IllegalArgumentException("the global batch must be >= 1, got " + globalBatch);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** Samples per step on one shard. */
    public int shardBatch(int shards) {
        if (globalBatch % shards != 0) {
            throw new IllegalArgumentException("the global batch " + globalBatch + " must be a multiple of the "
                    + shards + " shards, so that every shard contributes the same number of samples per step");
        }
        return globalBatch / shards;
    }

    public boolean standardized() {
        return !Double.isNaN(inputMean);
    }

    @Override
    public int[] sizes() {
        return sizes.clone();
    }
}
