package dev.panamax.data;

import java.io.IOException;

/**
 * An IDX file that does not follow the format: the message names the file, the byte offset
 * (in the decompressed stream when the file is gzipped) and what was expected there.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;

    public IdxFormatException(String source, long offset, String problem) {
        this(source, offset, problem, null);
    }

    public IdxFormatException(String source, long offset, String problem, Throwable cause) {
        super(source + ": at byte " + offset + ": " + problem, cause);
        this.source = source;
        this.offset = offset;
    }

    /** The file (or stream name) being read. */
    public String source() {
        return source;
    }

    /** Byte offset of the problem, counted in the uncompressed IDX stream. */
    public long offset() {
        return offset;
    }
}
