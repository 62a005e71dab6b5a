package dev.panamax.spark;

import java.io.Serializable;

/** One scored row: the predicted class (the largest logit, ties to the first) and the softmax probabilities. */
public record Prediction(int label, float[] probabilities) implements Serializable {
}
