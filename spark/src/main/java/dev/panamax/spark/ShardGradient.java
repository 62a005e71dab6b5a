package dev.panamax.spark;

import java.io.Serializable;

/**
 * One shard's share of a step: the gradient of (its samples / global batch) times its mean loss, flattened
 * in the model's parameter order, with its loss sum and correct count, and a checksum of the weights it
 * computed with (the driver checks every replica had the same), and the nanoseconds the replica spent on it.
 */
public record ShardGradient(int shard, float[] gradient, double lossSum, int correct, long weightsChecksum,
                            long computeNanos)
        implements Serializable {
}
