package dev.panamax.data;

import java.io.IOException;

/** Somewhere a train/test pair of a data set can be loaded from. */
public interface DatasetSource {
    /**
     * Short name ("mnist", "fashion-mnist", or a folder's name).
     *
     * @return the name
     */
    String name();

    /**
     * Loads and validates both splits. Fails with a {@link DatasetException} that says what to
     * install, run or pass when the data cannot be found or fetched, and with an
     * {@link IdxFormatException} when a file is malformed.
     *
     * @return both splits, owned by the caller (close it)
     * @throws IOException if the data cannot be found, fetched or read, or is malformed
     */
    default DatasetPair load() throws IOException {
        return load(0);
    }

    /**
     * As {@link #load()}, with only the first {@code trainLimit} training samples (0 = all): the training
     * files are read, and decompressed, only that far, so a limited run does not pay for (or trust) the
     * rest of a large file. The test split is always whole.
     *
     * @param trainLimit the most training samples to read, or 0 for all
     * @return both splits, owned by the caller (close it)
     * @throws IOException if the data cannot be found, fetched or read, or is malformed
     */
    DatasetPair load(int trainLimit) throws IOException;
}
