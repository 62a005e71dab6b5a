package dev.panamax.data;

import java.io.IOException;

/**
 * An IDX file that does not follow the format: the message names the file, the byte offset
 * (in the decompressed stream when the file is gzipped) and what was expected there.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file (or stream name) being read. */
    private final String source;
    /** Byte offset of the problem in the uncompressed IDX stream. */
    private final long offset;

    /**
     * A malformed IDX file.
     *
     * @param source  the file or stream name
     * @param offset  the byte offset of the problem, in the decompressed stream
     * @param problem what was found and what was expected there
     */
    public IdxFormatException(String source, long offset, String problem) {
        this(source, offset, problem, null);
    }

    /**
     * A malformed IDX file, found through {@code cause} (a broken gzip stream, say).
     *
     * @param source  the file or stream name
     * @param offset  the byte offset of the problem, in the decompressed stream
     * @param problem what was found and what was expected there
     * @param cause   the failure behind it, or null
     */
    public IdxFormatException(String source, long offset, String problem, Throwable cause) {
        super(source + ": at byte " + offset + ": " + problem, cause);
        this.source = source;
        this.offset = offset;
    }

    /**
     * The file (or stream name) being read.
     *
     * @return the source as given
     */
    public String source() {
        return source;
    }

    /**
     * Byte offset of the problem, counted in the uncompressed IDX stream.
     *
     * @return the offset
     */
    public long offset() {
        return offset;
    }
}
