package dev.panamax.train;

import java.util.Locale;

/** What one epoch measured: mean losses, accuracies in [0,1], wall time and throughput. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double seconds, double samplesPerSecond) {

    /** One JSON object on one line (the metrics log is JSON lines). */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"epoch\":%d,\"train_loss\":%.6f,\"train_accuracy\":%.6f,\"test_loss\":%.6f,\"test_accuracy\":%.6f,"
                        + "\"seconds\":%.3f,\"samples_per_second\":%.1f}",
                epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, samplesPerSecond);
    }

    public static String csvHeader() {
        return "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second";
    }

    public String toCsv() {
        return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f",
                epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, samplesPerSecond);
    }

    /** Parses a line written by {@link #toCsv()}. */
    public static EpochMetrics parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 7) {
            throw new IllegalArgumentException("metrics line needs 7 fields: " + line);
        }
        return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
