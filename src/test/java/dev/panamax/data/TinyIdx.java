package dev.panamax.data;

import java.io.IOException;
import java.nio.file.Path;

/** Writes small MNIST-shaped IDX data sets for tests: pixel (i, p) = (7 i + p) mod 256, label i mod 10. */
final class TinyIdx {
    private TinyIdx() {
    }

    static IdxArray images(int count) {
        double[] v = new double[count * 784];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < 784; p++) {
                v[i * 784 + p] = (7 * i + p) % 256;
            }
        }
        return IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {count, 28, 28}, v);
    }

    static IdxArray labels(int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = i % 10;
        }
        return IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {count}, v);
    }

    /** Writes train (trainCount) and test (testCount) files into dir under the given names. */
    static void write(Path dir, int trainCount, int testCount, String trainImages, String trainLabels,
            String testImages, String testLabels) throws IOException {
        IdxWriter.write(dir.resolve(trainImages), images(trainCount), trainImages.endsWith(".gz"));
        IdxWriter.write(dir.resolve(trainLabels), labels(trainCount), trainLabels.endsWith(".gz"));
        IdxWriter.write(dir.resolve(testImages), images(testCount), testImages.endsWith(".gz"));
        IdxWriter.write(dir.resolve(testLabels), labels(testCount), testLabels.endsWith(".gz"));
    }

    static void writeStandard(Path dir, int trainCount, int testCount) throws IOException {
        write(dir, trainCount, testCount, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    }
}
