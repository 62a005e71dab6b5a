package dev.panamax.spark;

import java.io.Serializable;

/**
 * What every replica loads before an epoch's first step (see {@link DataParallelTrainer#epoch()}): the weights,
 * the optimizer's state and its step count, flattened as {@link FlatParameters} lays them out.
 */
record EpochStart(float[] weights, float[] optimizerState, long stepCount) implements Serializable {
}
