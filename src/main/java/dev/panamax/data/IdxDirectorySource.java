package dev.panamax.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A folder holding the four IDX files of a data set under their conventional names (LeCun's
 * {@code train-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}...; Kaggle's
 * {@code train-images.idx3-ubyte}; {@code test-} for {@code t10k-}), each optionally gzipped
 * ({@code .gz} suffix). Images must be 28x28 unless other sizes are given.
 */
public final class IdxDirectorySource implements DatasetSource {
    private static final String[] TRAIN_IMAGES = {"train-images-idx3-ubyte", "train-images.idx3-ubyte"};
    private static final String[] TRAIN_LABELS = {"train-labels-idx1-ubyte", "train-labels.idx1-ubyte"};
    private static final String[] TEST_IMAGES = {"t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte",
        "test-images-idx3-ubyte", "test-images.idx3-ubyte"};
    private static final String[] TEST_LABELS = {"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte",
        "test-labels-idx1-ubyte", "test-labels.idx1-ubyte"};

    private final Path dir;
    private final String name;
    private final String label;
    private final int classes;
    private final int rows;
    private final int cols;

    /**
     * A source for the IDX files in {@code dir}; nothing is read until {@link #load(int)}.
     *
     * @param dir     the folder
     * @param name    the data set's short name
     * @param label   what the data is, for descriptions
     * @param classes the number of classes; every label must lie in [0, classes)
     * @param rows    the image height required ({@code <= 0}: any)
     * @param cols    the image width required ({@code <= 0}: any)
     */
    public IdxDirectorySource(Path dir, String name, String label, int classes, int rows, int cols) {
        this.dir = dir;
        this.name = name;
        this.label = label;
        this.classes = classes;
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * A folder of 28x28 images in 10 classes (MNIST-like), named after the folder.
     *
     * @param dir the folder
     * @return the source
     */
    public static IdxDirectorySource of(Path dir) {
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        String n = fileName == null ? dir.toString() : fileName.toString();
        return new IdxDirectorySource(dir, n, "IDX data set '" + n + "'", 10, 28, 28);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The folder read.
     *
     * @return the folder given to the constructor
     */
    public Path dir() {
        return dir;
    }

    /**
     * The four files when all are present, else empty.
     *
     * @param dir the folder to look in (a missing one gives empty)
     * @return the files found, under the first of the conventional names that exists as a regular file
     */
    public static Optional<DatasetPair.Files> find(Path dir) {
        Path ti = first(dir, TRAIN_IMAGES);
        Path tl = first(dir, TRAIN_LABELS);
        Path si = first(dir, TEST_IMAGES);
        Path sl = first(dir, TEST_LABELS);
        if (ti == null || tl == null || si == null || sl == null) {
            return Optional.empty();
        }
        return Optional.of(new DatasetPair.Files(ti, tl, si, sl));
    }

    /** What a path that is not a regular file is, in words. */
    private static String kind(Path p) {
        if (Files.isSymbolicLink(p)) {
            return Files.exists(p) ? "a link to something that is not a file" : "a link that leads nowhere or loops";
        }
        if (Files.isDirectory(p)) {
            return "a folder";
        }
        return "a FIFO, socket or device";
    }

    private static Path first(Path dir, String[] names) {
        for (String n : names) {
            for (String candidate : new String[] {n, n + ".gz"}) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Which of the four roles have no file in {@code dir}, e.g. "train-images-idx3-ubyte[.gz]". */
    static List<String> missing(Path dir) {
        List<String> out = new ArrayList<>();
        for (String[] role : new String[][] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            if (first(dir, role) == null) {
                out.add(role[0] + "[.gz]");
            }
        }
        return out;
    }

    @Override
    public DatasetPair load(int trainLimit) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new DatasetException(dir + " is a file, not a folder of IDX files (--data takes the folder that holds"
                    + " train-images-idx3-ubyte and the other three)");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("data folder " + dir + " does not exist");
        }
        Optional<DatasetPair.Files> files = find(dir);
        if (files.isEmpty()) {
            for (String[] role : new String[][] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
                for (String n : role) {
                    for (Path p : new Path[] {dir.resolve(n), dir.resolve(n + ".gz")}) {
                        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p)) {
                            throw new DatasetException(p + " is there but is not a regular file (" + kind(p)
                                    + "): an IDX file must be a plain file, or a link to one");
                        }
                    }
                }
            }
            throw new DatasetException("data folder " + dir + " lacks " + String.join(", ", missing(dir))
                    + " (IDX files named as on the MNIST page, optionally gzipped)");
        }
        return DatasetPair.load(name, label, classes, rows, cols, files.get(), trainLimit);
    }
}
