package dev.panamax.train;

import java.util.Locale;

/**
 * What one epoch measured: mean losses, accuracies in [0,1], wall time and throughput.
 *
 * @param epoch            the epoch, 1 first
 * @param trainLoss        the mean training loss over the epoch's batches (each weighted by its size)
 * @param trainAccuracy    the fraction of training samples predicted right during the epoch
 * @param testLoss         the mean loss on the test set after the epoch
 * @param testAccuracy     the fraction of test samples predicted right after the epoch
 * @param seconds          the wall time of the epoch's training steps (evaluation excluded)
 * @param samplesPerSecond training samples per second of that time
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double seconds, double samplesPerSecond) {

    /**
     * One JSON object on one line (the metrics log is JSON lines). A value that is not finite is written as {@code null} (JSON has no NaN or
     * Infinity, and standard parsers reject them) and named, with its Java spelling, in a
     * {@code "non_finite"} object, e.g. {@code "test_loss":null,...,"non_finite":{"test_loss":"NaN"}}.
     *
     * @return the line, without a line break; keys are snake_case ({@code train_loss}, ...)
     */
    public String toJson() {
        StringBuilder nonFinite = new StringBuilder();
        String body = String.format(Locale.ROOT, "{\"epoch\":%d,\"train_loss\":%s,\"train_accuracy\":%s,\"test_loss\":%s,"
                        + "\"test_accuracy\":%s,\"seconds\":%s,\"samples_per_second\":%s",
                epoch, json("train_loss", trainLoss, "%.6f", nonFinite), json("train_accuracy", trainAccuracy, "%.6f", nonFinite),
                json("test_loss", testLoss, "%.6f", nonFinite), json("test_accuracy", testAccuracy, "%.6f", nonFinite),
                json("seconds", seconds, "%.3f", nonFinite), json("samples_per_second", samplesPerSecond, "%.1f", nonFinite));
        return nonFinite.isEmpty() ? body + "}" : body + ",\"non_finite\":{" + nonFinite + "}}";
    }

    private static String json(String key, double value, String format, StringBuilder nonFinite) {
        if (Double.isFinite(value)) {
            return String.format(Locale.ROOT, format, value);
        }
        nonFinite.append(nonFinite.isEmpty() ? "" : ",").append('"').append(key).append("\":\"").append(value).append('"');
        return "null";
    }

    /**
     * The header line of {@code metrics.csv}.
     *
     * @return the column names, comma-separated, in {@link #toCsv()}'s order
     */
    public static String csvHeader() {
        return "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second";
    }

    /**
     * One line of {@code metrics.csv}: losses and accuracies with 6 decimals, seconds 3, throughput 1.
     *
     * @return the line, without a line break
     */
    public String toCsv() {
        return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f",
                epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, samplesPerSecond);
    }

    /**
     * Parses a line written by {@link #toCsv()}.
     *
     * @param line seven comma-separated fields
     * @return the metrics (rounded as the line holds them)
     * @throws IllegalArgumentException if the line does not hold seven numbers
     */
    public static EpochMetrics parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 7) {
            throw new IllegalArgumentException("metrics line needs 7 fields: " + line);
        }
        return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
