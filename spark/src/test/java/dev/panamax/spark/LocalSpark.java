package dev.panamax.spark;

import dev.panamax.data.IdxArray;
import dev.panamax.data.IdxType;
import dev.panamax.data.IdxWriter;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** A local[2] Spark on loopback that retries a failed task (local[2,3]), and a small MNIST-shaped IDX set. */
final class LocalSpark {
    private LocalSpark() {
    }

    static JavaSparkContext start(String app) {
        SparkConf conf = new SparkConf().setMaster("local[2,3]").setAppName(app)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }

    /** {@code n} training and {@code n / 4} test images, 28x28, whose class shows in which pixels are bright. */
    static void writeData(Path dir, int n) throws IOException {
        Random rng = new Random(11);
        for (String split : new String[] {"train", "t10k"}) {
            int rows = split.equals("train") ? n : n / 4;
            double[] pixels = new double[rows * 784];
            double[] labels = new double[rows];
            for (int i = 0; i < rows; i++) {
                int label = rng.nextInt(10);
                labels[i] = label;
                for (int p = 0; p < 784; p++) {
                    pixels[i * 784 + p] = p % 10 == label ? 120 + rng.nextInt(120) : rng.nextInt(100);
                }
            }
            IdxWriter.write(dir.resolve(split + "-images-idx3-ubyte"),
                    IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {rows, 28, 28}, pixels), false);
            IdxWriter.write(dir.resolve(split + "-labels-idx1-ubyte"),
                    IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {rows}, labels), false);
        }
    }
}
