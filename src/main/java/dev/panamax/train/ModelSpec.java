package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.nn.Loss;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a checkpoint must know to rebuild its model: layer sizes, hidden activation, loss, and the
 * input standardisation (mean/std, or none). Stored as checkpoint metadata.
 *
 * @param sizes      the MLP's layer widths, input first (the array is not copied)
 * @param activation the hidden activation
 * @param loss       the training loss
 * @param inputMean  the mean subtracted from every input value (0: none)
 * @param inputStd   the standard deviation every input value is divided by (1: none)
 */
public record ModelSpec(int[] sizes, Activation activation, Loss loss, double inputMean, double inputStd) {

    /** Metadata key of the sizes, written {@code 784,256,10}. */
    public static final String SIZES = "model_sizes";
    /** Metadata key of the activation's {@link Activation#label()}. */
    public static final String ACTIVATION = "model_activation";
    /** Metadata key of the loss's {@link Loss#label()}. */
    public static final String LOSS = "loss";
    /** Metadata key of the input mean. */
    public static final String INPUT_MEAN = "input_mean";
    /** Metadata key of the input standard deviation. */
    public static final String INPUT_STD = "input_std";

    /**
     * No standardisation: inputs are used as loaded (pixels scaled to [0,1]).
     *
     * @param sizes      the layer widths, input first
     * @param activation the hidden activation
     * @param loss       the training loss
     * @return the spec with mean 0 and std 1
     */
    public static ModelSpec unstandardized(int[] sizes, Activation activation, Loss loss) {
        return new ModelSpec(sizes, activation, loss, 0.0, 1.0);
    }

    /**
     * Whether inputs are standardised.
     *
     * @return true unless mean is 0 and std 1
     */
    public boolean standardized() {
        return inputMean != 0.0 || inputStd != 1.0;
    }

    /**
     * The spec as checkpoint metadata, read back by {@link #fromMetadata}.
     *
     * @return the five keys above and their values
     */
    public Map<String, String> toMetadata() {
        return Map.of(
                SIZES, Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                ACTIVATION, activation.label(),
                LOSS, loss.label(),
                INPUT_MEAN, Double.toString(inputMean),
                INPUT_STD, Double.toString(inputStd));
    }

    /**
     * Whether {@code meta} is a Panamax checkpoint's (it names the model's sizes).
     *
     * @param meta a safetensors file's metadata
     * @return true when it holds {@link #SIZES}
     */
    public static boolean isCheckpoint(Map<String, String> meta) {
        return meta.containsKey(SIZES);
    }

    /**
     * Reads the spec back from checkpoint metadata, naming the missing or bad key.
     *
     * @param meta   a checkpoint's metadata
     * @param source the file, for messages
     * @return the spec; mean and std default to 0 and 1 when absent
     * @throws IllegalArgumentException if sizes, activation or loss is missing, or a value does not parse
     */
    public static ModelSpec fromMetadata(Map<String, String> meta, String source) {
        try {
            int[] sizes = Arrays.stream(require(meta, SIZES, source).split(",")).mapToInt(Integer::parseInt).toArray();
            return new ModelSpec(sizes, Activation.parse(require(meta, ACTIVATION, source)),
                    Loss.parse(require(meta, LOSS, source)),
                    Double.parseDouble(meta.getOrDefault(INPUT_MEAN, "0")),
                    Double.parseDouble(meta.getOrDefault(INPUT_STD, "1")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": bad model metadata (" + e.getMessage() + ")");
        }
    }

    private static String require(Map<String, String> meta, String key, String source) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + " has no '" + key + "' metadata: not a Panamax training checkpoint");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && Arrays.equals(sizes, m.sizes) && activation == m.activation && loss == m.loss
                && Double.compare(inputMean, m.inputMean) == 0 && Double.compare(inputStd, m.inputStd) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes) * 31 + activation.hashCode();
    }

    @Override
    public String toString() {
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining("-")) + " " + activation.label()
                + ", loss " + loss.label();
    }
}
