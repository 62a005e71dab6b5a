package dev.panamax.data;

import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Yields the mini-batches of a {@link Dataset} into two reused off-heap buffers: {@code x}
 * {@code [B, features]} and {@code labels} {@code [B]} (class indices as floats). A training step
 * in steady state allocates nothing here: the buffers, the smaller last batch's views and the
 * index order are made once.
 *
 * <pre>{@code
 * try (BatchLoader batches = new BatchLoader(train, 64, true, seed, false)) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         batches.startEpoch(epoch);
 *         while (batches.next()) {
 *             step(batches.x(), batches.labels());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Order: with shuffling, epoch {@code e} visits the samples in a Fisher-Yates permutation of
 * {@code 0..N-1} drawn from {@code new SplittableRandom(mix64(mix64(seed) + e))} (mix64 is the
 * Stafford variant 13 finaliser, as in SplittableRandom), starting from the identity each epoch.
 * The order therefore depends only on (seed, epoch): resuming at epoch {@code e} reproduces it.
 * Without shuffling samples come in data set order.
 *
 * <p>The last batch of an epoch holds {@code N mod B} samples (unless {@code dropLast}); it is
 * exposed as the views {@code x.rows(0, n)} and {@code labels.rows(0, n)}.
 *
 * <p>No background prefetching: gathering a batch is {@code B} row copies of {@code features}
 * floats (about 200 KB for B = 64 on MNIST, microseconds), far below the cost of a training step,
 * so a second thread would add complexity and buy nothing measurable.
 *
 * <p>The buffers live in a shared arena (a multi-threaded backend may read them from its pool);
 * the loader itself is used by one thread.
 */
public final class BatchLoader implements AutoCloseable {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int batchCount;
    private final long rowBytes;
    private final Arena arena;
    private final Tensor x;
    private final Tensor labels;
    private final Tensor lastX;
    private final Tensor lastLabels;
    private final int[] order;
    private int epoch = -1;
    private int batch = -1;

    /**
     * A loader over {@code data} with its two buffers allocated now; call {@link #startEpoch} before the
     * first {@link #next()}.
     *
     * @param data the samples (not owned: closing the loader leaves it open)
     * @param batchSize samples per batch, at least 1
     * @param shuffle visit samples in a per-epoch random order
     * @param seed the shuffling seed
     * @param dropLast skip the final batch when it is smaller than {@code batchSize}
     * @throws IllegalArgumentException if batchSize is below 1, or dropLast leaves no batch
     */
    public BatchLoader(Dataset data, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        int n = data.size();
        if (dropLast && n < batchSize) {
            throw new IllegalArgumentException(data.name() + " has " + n + " samples, fewer than one batch of "
                    + batchSize + " (dropLast would leave no batch)");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        int remainder = n % batchSize;
        this.batchCount = n / batchSize + (remainder != 0 && !dropLast ? 1 : 0);
        this.rowBytes = (long) data.features() * Float.BYTES;
        this.arena = Arena.ofShared();
        // a batch size above the sample count yields one batch of every sample: allocate no more than that
        int bufferRows = Math.min(batchSize, n);
        this.x = Tensor.allocate(arena, bufferRows, data.features());
        this.labels = Tensor.allocate(arena, bufferRows);
        int last = remainder == 0 || dropLast ? batchSize : remainder;
        this.lastX = last == bufferRows ? x : x.rows(0, last);
        this.lastLabels = last == bufferRows ? labels : labels.rows(0, last);
        this.order = new int[n];
    }

    /**
     * Prepares epoch {@code epoch} (any non-negative number, in any order): the next {@link #next()} yields
     * its first batch.
     *
     * @param epoch the epoch whose order to draw, {@code >= 0}
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    public void startEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be non-negative, got " + epoch);
        }
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(epochSeed(seed, epoch));
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        this.epoch = epoch;
        this.batch = -1;
    }

    /** The seed of epoch {@code epoch}'s permutation: mix64(mix64(seed) + epoch). */
    static long epochSeed(long seed, int epoch) {
        return mix64(mix64(seed) + epoch);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: a bijection that scrambles every bit. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Fills the buffers with the next batch; false (buffers untouched) when the epoch is over.
     *
     * @return true when a batch was loaded
     * @throws IllegalStateException if no epoch was started
     */
    public boolean next() {
        if (epoch < 0) {
            throw new IllegalStateException("call startEpoch(epoch) before next()");
        }
        if (batch + 1 >= batchCount) {
            batch = batchCount;
            return false;
        }
        batch++;
        int start = batch * batchSize;
        int rows = currentBatchSize();
        MemorySegment src = data.images().segment();
        MemorySegment dst = x.segment();
        for (int r = 0; r < rows; r++) {
            int sample = order[start + r];
            // x row r <- image row `sample`; labels[r] <- class index as float
            MemorySegment.copy(src, sample * rowBytes, dst, r * rowBytes, rowBytes);
            labels.set(r, (float) data.label(sample));
        }
        return true;
    }

    /**
     * Samples in the current batch: {@code batchSize} except possibly for the last one.
     *
     * @return the row count of {@link #x()} and {@link #labels()}
     * @throws IllegalStateException if there is no current batch (before the first {@link #next()} of an
     *         epoch, or after it returned false)
     */
    public int currentBatchSize() {
        checkInBatch();
        return batch == batchCount - 1 ? (int) lastLabels.size() : batchSize;
    }

    /**
     * The current batch's images, {@code [currentBatchSize, features]}.
     *
     * @return the loader's buffer (or a view of it), overwritten by the next {@link #next()}
     * @throws IllegalStateException if there is no current batch (before the first {@link #next()} of an
     *         epoch, or after it returned false)
     */
    public Tensor x() {
        checkInBatch();
        return batch == batchCount - 1 ? lastX : x;
    }

    /**
     * The current batch's class indices as floats, {@code [currentBatchSize]}.
     *
     * @return the loader's buffer (or a view of it), overwritten by the next {@link #next()}
     * @throws IllegalStateException if there is no current batch (before the first {@link #next()} of an
     *         epoch, or after it returned false)
     */
    public Tensor labels() {
        checkInBatch();
        return batch == batchCount - 1 ? lastLabels : labels;
    }

    /**
     * Data set index of row {@code row} of the current batch.
     *
     * @param row a row of the current batch
     * @return the sample's index in the data set
     * @throws IndexOutOfBoundsException if {@code row} is outside the current batch
     * @throws IllegalStateException if there is no current batch
     */
    public int sampleIndex(int row) {
        checkInBatch();
        if (row < 0 || row >= currentBatchSize()) {
            throw new IndexOutOfBoundsException("row " + row + " outside batch of " + currentBatchSize());
        }
        return order[batch * batchSize + row];
    }

    private void checkInBatch() {
        if (batch < 0 || batch >= batchCount) {
            throw new IllegalStateException("no current batch: call next() after startEpoch() and stop when it returns false");
        }
    }

    /**
     * Samples per full batch.
     *
     * @return the batch size given to the constructor
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Batches per epoch.
     *
     * @return {@code ceil(N / B)}, or {@code floor(N / B)} with dropLast
     */
    public int batchCount() {
        return batchCount;
    }

    /**
     * Index of the current batch within its epoch.
     *
     * @return 0 for the first batch; -1 before it, {@link #batchCount()} after the last
     */
    public int batchIndex() {
        return batch;
    }

    /**
     * The epoch last started.
     *
     * @return the epoch, or -1 before the first {@link #startEpoch}
     */
    public int epoch() {
        return epoch;
    }

    /**
     * The samples this loader reads.
     *
     * @return the data set given to the constructor
     */
    public Dataset dataset() {
        return data;
    }

    /** Frees the batch buffers (not the data set). */
    @Override
    public void close() {
        arena.close();
    }
}
