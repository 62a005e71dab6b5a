package dev.panamax.data;

import java.io.IOException;

/**
 * Well-formed files that do not make a usable data set: image and label counts that differ,
 * labels outside the class range, images of the wrong size, or a data set that cannot be found or
 * fetched. The message names the files involved and says what was expected or what to do.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A data set problem without an underlying cause.
     *
     * @param message what is wrong, naming the files, and what to do
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * A data set problem caused by {@code cause} (a failed download, an unreadable file).
     *
     * @param message what is wrong, naming the files, and what to do
     * @param cause   the failure behind it
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
