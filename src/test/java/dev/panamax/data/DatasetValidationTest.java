package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetValidationTest {
    @TempDir
    Path dir;

    private static IdxArray images(int count, int rows, int cols) {
        double[] v = new double[count * rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 31) % 256;
        }
        return IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {count, rows, cols}, v).withSource("imgs.idx");
    }

    private static IdxArray labels(int... values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {values.length}, v).withSource("labels.idx");
    }

    @Test
    void pixelsAreScaledByDivisionBy255AndLabelsKept() throws IOException {
        try (Dataset d = Dataset.fromIdx("t", "test data", 10, images(3, 28, 28), labels(0, 9, 4), 28, 28)) {
            assertEquals(3, d.size());
            assertEquals(784, d.features());
            assertArrayEquals(new int[] {3, 784}, d.images().shape());
            for (int i = 0; i < 3 * 784; i++) {
                assertEquals(((i * 31) % 256) / 255f, d.images().get(i), 0f, "pixel " + i);
            }
            assertArrayEquals(new int[] {0, 9, 4}, d.labels());
            assertEquals(1, d.classCounts()[9]);
        }
    }

    @Test
    void countMismatchNamesBothFiles() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Dataset.fromIdx("t", "", 10, images(3, 28, 28), labels(1, 2), 28, 28));
        assertTrue(e.getMessage().contains("3 images in imgs.idx but 2 labels in labels.idx"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesSampleAndRange() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Dataset.fromIdx("t", "", 10, images(3, 28, 28), labels(1, 10, 2), 28, 28));
        assertTrue(e.getMessage().contains("label 10 of sample 1 is outside [0, 10)"), e.getMessage());
        assertTrue(e.getMessage().contains("labels.idx"), e.getMessage());
    }

    @Test
    void wrongImageSize() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Dataset.fromIdx("mnist", "", 10, images(2, 32, 32), labels(1, 2), 28, 28));
        assertTrue(e.getMessage().contains("images are 32x32 but mnist expects 28x28"), e.getMessage());
    }

    @Test
    void wrongRanksAndLabelTypes() {
        IdxArray flat = IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {2, 784}, new double[2 * 784]);
        assertThrows(DatasetException.class, () -> Dataset.fromIdx("t", "", 10, flat, labels(1, 2), 28, 28));
        IdxArray floatLabels = IdxArray.fromValues(IdxType.FLOAT, new int[] {2}, new double[] {1, 2});
        DatasetException e = assertThrows(DatasetException.class,
                () -> Dataset.fromIdx("t", "", 10, images(2, 28, 28), floatLabels, 28, 28));
        assertTrue(e.getMessage().contains("labels must be integers"), e.getMessage());
    }

    @Test
    void pairLoadsFilesAndRejectsAMismatchedTestLabelFile() throws IOException {
        IdxWriter.write(dir.resolve("tri"), images(4, 28, 28), true);
        IdxWriter.write(dir.resolve("trl"), labels(0, 1, 2, 3), false);
        IdxWriter.write(dir.resolve("tei"), images(2, 28, 28), false);
        IdxWriter.write(dir.resolve("tel"), labels(5, 6), true);
        IdxWriter.write(dir.resolve("bad"), labels(5, 6, 7), true);
        var ok = new DatasetPair.Files(dir.resolve("tri"), dir.resolve("trl"), dir.resolve("tei"), dir.resolve("tel"));
        try (DatasetPair p = DatasetPair.load("t", "Tiny", 10, 28, 28, ok)) {
            assertEquals(4, p.train().size());
            assertEquals(2, p.test().size());
            assertTrue(p.description().startsWith("Tiny 4 train / 2 test (from " + dir.toAbsolutePath()),
                    p.description());
        }
        var bad = new DatasetPair.Files(dir.resolve("tri"), dir.resolve("trl"), dir.resolve("tei"), dir.resolve("bad"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPair.load("t", "Tiny", 10, 28, 28, bad));
        assertTrue(e.getMessage().contains(dir.resolve("bad").toString()), e.getMessage());
    }

    @Test
    void standardizationUsesTrainingStatisticsOnBothSplits() {
        float[] trainPixels = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] testPixels = {8, 0, 4, 4};
        try (Dataset train = Dataset.of("tr", "", 2, 2, 2, trainPixels, new int[] {0, 1});
                Dataset test = Dataset.of("te", "", 2, 2, 2, testPixels, new int[] {1});
                DatasetPair pair = new DatasetPair("p", "P", "memory", train, test)) {
            Standardization s = pair.standardize();
            // mean 3.5, population variance (sum of (i - 3.5)^2 for i = 0..7) / 8 = 42 / 8 = 5.25
            assertEquals(3.5, s.mean(), 1e-12);
            assertEquals(Math.sqrt(5.25), s.std(), 1e-12);
            // float arithmetic on values of order 1: a few ulps of 1.0
            float tol = 4 * Math.ulp(1f);
            assertEquals((float) ((8 - 3.5) / Math.sqrt(5.25)), test.images().get(0), tol);
            assertEquals((float) ((0 - 3.5) / Math.sqrt(5.25)), train.images().get(0), tol);
            assertThrows(IllegalStateException.class, () -> s.applyTo(train), "second application is refused");
        }
    }
}
