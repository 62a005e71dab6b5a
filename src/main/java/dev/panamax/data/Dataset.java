package dev.panamax.data;

import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One split of an image classification data set held in memory: images as an off-heap float32
 * tensor {@code [count, rows*cols]} (unsigned-byte pixels scaled to [0, 1] by division by 255, as
 * torchvision's {@code ToTensor} does) and labels as class indices in {@code [0, classes)}.
 *
 * <p>The tensor lives in a shared arena owned by this object (readable from any thread, as a
 * background loader needs); {@link #close()} frees it.
 */
public final class Dataset implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    private final String name;
    private final String description;
    private final int classes;
    private final int rows;
    private final int cols;
    private final Arena arena;
    private final Tensor images;
    private final int[] labels;
    private Standardization standardization;
    private boolean closed;

    private Dataset(String name, String description, int classes, int rows, int cols, Arena arena, Tensor images,
            int[] labels) {
        this.name = name;
        this.description = description;
        this.classes = classes;
        this.rows = rows;
        this.cols = cols;
        this.arena = arena;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Builds a data set from IDX arrays, checking that the images are {@code [count, rows, cols]}
     * of unsigned bytes (scaled by 1/255) or floats (taken as they are), that {@code rows x cols}
     * is {@code expectedRows x expectedCols} (a value &lt;= 0 accepts any size), that the labels are
     * {@code [count]} integers, that the counts agree and that every label lies in {@code [0, classes)}.
     *
     * @param name         the short name, e.g. "mnist/train"
     * @param description  where the data came from, for messages and logs
     * @param classes      the number of classes, {@code >= 1}
     * @param images       the images, {@code [count, rows, cols]}
     * @param labels       the labels, {@code [count]}
     * @param expectedRows the image height required, or {@code <= 0} for any
     * @param expectedCols the image width required, or {@code <= 0} for any
     * @return the data set, owned by the caller (close it)
     * @throws DatasetException naming the IDX source, if a rank, type, size, count, pixel or label is wrong
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    public static Dataset fromIdx(String name, String description, int classes, IdxArray images, IdxArray labels,
            int expectedRows, int expectedCols) throws DatasetException {
        if (classes < 1) {
            throw new IllegalArgumentException("class count must be positive, got " + classes);
        }
        if (images.rank() != 3) {
            throw new DatasetException(images.source() + ": images must be an IDX array of rank 3 [count, rows, cols], found rank "
                    + images.rank() + " " + Arrays.toString(images.dims()));
        }
        if (images.type() != IdxType.UNSIGNED_BYTE && images.type() != IdxType.FLOAT
                && images.type() != IdxType.DOUBLE) {
            throw new DatasetException(images.source() + ": image pixels must be unsigned bytes (0x08), float (0x0D) or double (0x0E), found "
                    + images.type().describe());
        }
        int count = images.dim(0);
        int rows = images.dim(1);
        int cols = images.dim(2);
        if ((expectedRows > 0 && rows != expectedRows) || (expectedCols > 0 && cols != expectedCols)) {
            throw new DatasetException(images.source() + ": images are " + rows + "x" + cols + " but " + name
                    + " expects " + expectedRows + "x" + expectedCols);
        }
        if (labels.rank() != 1) {
            throw new DatasetException(labels.source() + ": labels must be an IDX array of rank 1 [count], found rank "
                    + labels.rank() + " " + Arrays.toString(labels.dims()));
        }
        if (!labels.type().integral()) {
            throw new DatasetException(labels.source() + ": labels must be integers (0x08, 0x09, 0x0B or 0x0C), found "
                    + labels.type().describe());
        }
        if (labels.dim(0) != count) {
            throw new DatasetException(name + ": image and label counts differ: " + count + " images in "
                    + images.source() + " but " + labels.dim(0) + " labels in " + labels.source());
        }
        if (count == 0) {
            throw new DatasetException(name + ": " + images.source() + " holds no images");
        }
        int[] labelValues = new int[count];
        for (int i = 0; i < count; i++) {
            int label = labels.getInt(i);
            if (label < 0 || label >= classes) {
                throw new DatasetException(labels.source() + ": label " + label + " of sample " + i
                        + " is outside [0, " + classes + ") for " + name);
            }
            labelValues[i] = label;
        }

        int features = Math.multiplyExact(rows, cols);
        Arena arena = Arena.ofShared();
        try {
            Tensor tensor = Tensor.allocate(arena, count, features);
            fillPixels(tensor.segment(), images);
            return new Dataset(name, description, classes, rows, cols, arena, tensor, labelValues);
        } catch (RuntimeException | DatasetException e) {
            arena.close();
            throw e;
        }
    }

    private static void fillPixels(MemorySegment dst, IdxArray images) throws DatasetException {
        int n = images.count();
        if (images.type() == IdxType.UNSIGNED_BYTE) {
            byte[] raw = images.payload();
            for (int i = 0; i < n; i++) {
                dst.setAtIndex(F32, i, (raw[i] & 0xFF) / 255f);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = (float) images.get(i);
            if (!Float.isFinite(v)) {
                throw new DatasetException(images.source() + ": pixel " + i + " is " + v + ", expected a finite value");
            }
            dst.setAtIndex(F32, i, v);
        }
    }

    /**
     * Builds a data set from values already in memory (pixels row-major, {@code labels.length}
     * images of {@code rows x cols}); checks the sizes and the label range.
     *
     * @param name        the short name
     * @param description where the data came from
     * @param classes     the number of classes, {@code >= 1}
     * @param rows        the image height, {@code >= 1}
     * @param cols        the image width, {@code >= 1}
     * @param pixels      {@code labels.length * rows * cols} values, taken as they are; copied
     * @param labels      the class index of each image, at least one; copied
     * @return the data set, owned by the caller (close it)
     * @throws IllegalArgumentException if a size is below 1, the pixel count does not match, or a label is
     *         outside {@code [0, classes)}
     */
    public static Dataset of(String name, String description, int classes, int rows, int cols, float[] pixels,
            int[] labels) {
        if (classes < 1 || rows < 1 || cols < 1 || labels.length < 1) {
            throw new IllegalArgumentException("need classes, rows, cols and count >= 1, got " + classes + ", " + rows
                    + ", " + cols + ", " + labels.length);
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(labels.length + " images of " + rows + "x" + cols + " need "
                    + (long) labels.length * rows * cols + " pixels, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside [0, "
                        + classes + ")");
            }
        }
        Arena arena = Arena.ofShared();
        Tensor tensor = Tensor.of(arena, pixels, labels.length, rows * cols);
        return new Dataset(name, description, classes, rows, cols, arena, tensor, labels.clone());
    }

    /**
     * A new data set holding a copy of the first {@code n} samples (for quick runs on a slice). The
     * copy owns its memory and must be closed on its own.
     *
     * @param n how many samples, in {@code [1, size()]}
     * @return the copy, with this data set's standardisation recorded
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public Dataset head(int n) {
        if (n < 1 || n > size()) {
            throw new IllegalArgumentException("cannot take the first " + n + " of " + size() + " samples of " + name);
        }
        Arena copyArena = Arena.ofShared();
        Tensor copy = Tensor.allocate(copyArena, n, features()).copyFrom(images.rows(0, n));
        Dataset d = new Dataset(name, description + ", first " + n, classes, rows, cols, copyArena, copy,
                java.util.Arrays.copyOf(labels, n));
        d.standardization = standardization;
        return d;
    }

    /**
     * Short name, e.g. "mnist/train".
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Where the data came from, e.g. "MNIST train (from ~/.cache/panamax/datasets/mnist)".
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * The number of samples.
     *
     * @return the sample count, at least 1
     */
    public int size() {
        return labels.length;
    }

    /**
     * The number of classes.
     *
     * @return the class count; labels lie in {@code [0, classes)}
     */
    public int classes() {
        return classes;
    }

    /**
     * The image height.
     *
     * @return rows per image
     */
    public int imageRows() {
        return rows;
    }

    /**
     * The image width.
     *
     * @return columns per image
     */
    public int imageCols() {
        return cols;
    }

    /**
     * Values per sample: rows x cols.
     *
     * @return the width of a row of {@link #images()}
     */
    public int features() {
        return rows * cols;
    }

    /**
     * The images, {@code [size, features]}; writes go to the data set itself.
     *
     * @return the data set's own tensor, freed by {@link #close()}
     */
    public Tensor images() {
        return images;
    }

    /**
     * Class index of sample {@code i}.
     *
     * @param i a sample index in {@code [0, size())}
     * @return its label
     * @throws ArrayIndexOutOfBoundsException if {@code i} is out of range
     */
    public int label(int i) {
        return labels[i];
    }

    /**
     * A copy of all class indices.
     *
     * @return one label per sample, in sample order
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Number of samples of each class.
     *
     * @return one count per class, in label order
     */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * The standardisation applied to the pixels, or null when they are as loaded.
     *
     * @return the standardisation, or null
     */
    public Standardization standardization() {
        return standardization;
    }

    /** Records that {@code s} was applied; a data set is standardised at most once. */
    void markStandardized(Standardization s) {
        if (standardization != null) {
            throw new IllegalStateException(name + " is already standardised with " + standardization);
        }
        standardization = s;
    }

    /** Frees the images; closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return name + ": " + size() + " images " + rows + "x" + cols + ", " + classes + " classes; " + description;
    }
}
