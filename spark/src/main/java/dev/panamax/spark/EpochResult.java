package dev.panamax.spark;

import java.io.Serializable;

/**
 * One replica's account of the epochs of one barrier stage run with all-reduce: the checksum of the weights it ended with, and from
 * shard 0 only the weights and optimizer state themselves (the replicas being bitwise equal, one copy is enough);
 * the global batch's loss and correct predictions per step, as the all-reduce summed them; and where its time
 * went.
 */
record EpochResult(int shard, long weightsChecksum, float[] weights, float[] optimizerState, long stepCount,
                   double[] stepLoss, int[] stepCorrect, long computeNanos, long allReduceNanos)
        implements Serializable {
}
