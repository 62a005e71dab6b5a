package dev.panamax.spark;

import java.util.SplittableRandom;

/**
 * Which samples each step uses. The training set is cut into contiguous shards, one per partition; every
 * epoch each shard shuffles its own rows (seeded by run seed, epoch and shard), and step t of the epoch takes
 * rows {@code [t * b, (t + 1) * b)} of that order from every shard, b = global batch / shards. The global
 * batch of a step is the union of those rows: a single machine given the same union trains the same model
 * ({@code DataParallelTrainingTest} checks it), and a retried task reads the same rows again.
 */
public final class BatchPlan {
    private BatchPlan() {
    }

    /** First row of {@code shard} when {@code rows} are cut into {@code shards} contiguous shards. */
    public static int shardStart(int rows, int shards, int shard) {
        return (int) ((long) rows * shard / shards);
    }

    public static int shardRows(int rows, int shards, int shard) {
        return shardStart(rows, shards, shard + 1) - shardStart(rows, shards, shard);
    }

    /** Full steps per epoch: every shard must supply its b rows; a shard's left-over rows wait for the next epoch. */
    public static int stepsPerEpoch(int rows, int shards, int shardBatch) {
        int smallest = rows / shards; // shards differ by at most one row; the smallest has floor(rows / shards)
        return smallest / shardBatch;
    }

    /** Shard-local rows of step {@code step} of {@code epoch} on {@code shard}. */
    public static int[] rows(long seed, int epoch, int shard, int shardRows, int shardBatch, int step) {
        int[] order = order(seed, epoch, shard, shardRows);
        int[] out = new int[shardBatch];
        System.arraycopy(order, step * shardBatch, out, 0, shardBatch);
        return out;
    }

    /** A Fisher-Yates shuffle of {@code 0..n-1} from a generator seeded by (seed, epoch, shard). */
    static int[] order(long seed, int epoch, int shard, int n) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0x632BE59BD9B4E019L + shard);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
