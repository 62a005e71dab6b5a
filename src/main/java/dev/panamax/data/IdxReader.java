package dev.panamax.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files: a magic number {@code 0x00 0x00 type rank}, then {@code rank} big-endian
 * int32 dimensions, then the row-major big-endian payload, and nothing after it.
 *
 * <p>Gzip is recognised by its magic bytes {@code 1f 8b}, whatever the file is called. Every
 * departure from the format raises an {@link IdxFormatException} naming the file, the byte offset
 * (in the decompressed stream) and what was expected; the reader never reads past the end of its
 * input and never allocates a payload larger than a plain file could hold.
 */
public final class IdxReader {
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    private static final int BUFFER_BYTES = 1 << 16;
    /**
     * The most a gzipped IDX file may inflate to, as a multiple of its compressed size. Real data sets
     * compress 4-8x (MNIST's images 4.7x, its labels 2x); a file that claims far more is a header that
     * lies or a gzip bomb, and inflating it would allocate gigabytes off a few megabytes of input.
     */
    public static final long MAX_GZIP_RATIO = 64;
    /** Small files may hold a little more (a header's bytes compress to nothing). */
    private static final long MIN_GZIP_ALLOWANCE = 1 << 20;

    private IdxReader() {
    }

    /**
     * Reads one IDX file, plain or gzipped.
     *
     * @param file the file
     * @return the whole array, on the heap
     * @throws IdxFormatException naming the file and byte offset, if it is not a well-formed IDX file (or a
     *         gzipped one that inflates past {@link #MAX_GZIP_RATIO} times its size)
     * @throws IOException if the file cannot be read
     */
    public static IdxArray read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * Reads the first {@code maxItems} items (along the first dimension) of an IDX file, or all when it is
     * 0 or the file has fewer: reading, and decompressing, stops there, and what follows is not looked at
     * (so neither trailing bytes nor a short file beyond that point are reported).
     *
     * @param file     the file, plain or gzipped
     * @param maxItems the most items to read, or 0 for all
     * @return the array of the items read; its first dimension is their count
     * @throws IdxFormatException naming the file and byte offset, if what is read is malformed
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code maxItems} is negative
     */
    public static IdxArray read(Path file, int maxItems) throws IOException {
        if (maxItems < 0) {
            throw new IllegalArgumentException("maxItems must be >= 0 (0 = all), got " + maxItems);
        }
        String source = file.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1) {
                long allowance = Math.max(MIN_GZIP_ALLOWANCE, MAX_GZIP_RATIO * Files.size(file));
                // strict: every member's CRC and length, and nothing after the last (GZIPInputStream ignores that)
                StrictGzipInputStream gzip;
                try {
                    gzip = new StrictGzipInputStream(raw, BUFFER_BYTES);
                } catch (EOFException | ZipException e) {
                    throw brokenGzip(source + " (gzip)", 0, e);
                }
                try (InputStream in = new BufferedInputStream(gzip, BUFFER_BYTES)) {
                    return read(in, source + " (gzip)", -1, allowance, maxItems);
                }
            }
            return read(raw, source, Files.size(file), Long.MAX_VALUE, maxItems);
        }
    }

    /**
     * Reads an IDX stream that is already decompressed. {@code knownSize} is the stream's total
     * length when known (lets truncation be reported before allocating), or -1.
     *
     * @param stream    the IDX bytes; read to the end of the array and checked to end there, not closed
     * @param source    the name used in messages
     * @param knownSize the stream's length in bytes, or -1
     * @return the whole array, on the heap
     * @throws IdxFormatException naming the source and byte offset, if the stream is malformed
     * @throws IOException if the stream cannot be read
     */
    public static IdxArray read(InputStream stream, String source, long knownSize) throws IOException {
        return read(stream, source, knownSize, Long.MAX_VALUE, 0);
    }

    /**
     * As above; content beyond {@code maxBytes} (what is to be read, not what the header claims) is
     * refused before anything is inflated; with {@code maxItems} > 0 only that many items are read.
     */
    private static IdxArray read(InputStream stream, String source, long knownSize, long maxBytes, int maxItems)
            throws IOException {
        CountingInputStream in = new CountingInputStream(stream);
        byte[] magic = new byte[4];
        int got = readFully(in, magic, 0, 4, source);
        if (got < 4) {
            throw new IdxFormatException(source, got, "truncated: expected a 4-byte magic number, input ends after "
                    + got + " bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(source, 0, String.format(
                    "wrong magic: expected 0x00 0x00 <type> <rank>, found 0x%02X 0x%02X (not an IDX file%s)",
                    magic[0] & 0xFF, magic[1] & 0xFF,
                    (magic[0] & 0xFF) == GZIP_MAGIC_0 && (magic[1] & 0xFF) == GZIP_MAGIC_1 ? "; gzipped twice?" : ""));
        }
        IdxType type = IdxType.fromCode(magic[2] & 0xFF);
        if (type == null) {
            throw new IdxFormatException(source, 2, String.format("unknown element type 0x%02X: expected one of %s",
                    magic[2] & 0xFF, IdxType.supportedCodes()));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0) {
            throw new IdxFormatException(source, 3, "bad rank 0: expected at least one dimension");
        }

        byte[] dimBytes = new byte[4 * rank];
        got = readFully(in, dimBytes, 0, dimBytes.length, source);
        if (got < dimBytes.length) {
            throw new IdxFormatException(source, 4 + got, "truncated header: expected " + rank
                    + " big-endian int32 dimensions (" + dimBytes.length + " bytes) after the magic, input ends after "
                    + got + " of them");
        }
        int[] dims = new int[rank];
        long payloadBytes = type.byteSize();
        for (int i = 0; i < rank; i++) {
            int at = 4 * i;
            dims[i] = ((dimBytes[at] & 0xFF) << 24) | ((dimBytes[at + 1] & 0xFF) << 16)
                    | ((dimBytes[at + 2] & 0xFF) << 8) | (dimBytes[at + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new IdxFormatException(source, 4 + at, "negative dimension " + dims[i] + " (dimension " + i
                        + " of " + rank + ")");
            }
            payloadBytes *= dims[i];
            if (payloadBytes > IdxArray.MAX_PAYLOAD_BYTES) {
                throw new IdxFormatException(source, 4 + at, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " of " + type.describe() + " overflow: more than " + IdxArray.MAX_PAYLOAD_BYTES
                        + " payload bytes");
            }
        }
        long headerBytes = 4 + 4L * rank;
        boolean limited = maxItems > 0 && maxItems < dims[0];
        if (limited) {
            payloadBytes = payloadBytes / dims[0] * maxItems;
            dims[0] = maxItems;
        }
        String layout = Arrays.toString(dims) + " x " + type.byteSize() + "-byte " + type.describe()
                + (limited ? " (the first " + maxItems + " items)" : "");
        if (headerBytes + payloadBytes > maxBytes) {
            throw new IdxFormatException(source, 4, "the header claims " + payloadBytes + " payload bytes (" + layout
                    + "), more than " + MAX_GZIP_RATIO + " times the compressed file: refusing to inflate it (a header"
                    + " that does not match the data, or a gzip bomb)");
        }

        if (knownSize >= 0 && knownSize < headerBytes + payloadBytes) {
            throw new IdxFormatException(source, knownSize, "truncated: expected " + payloadBytes
                    + " payload bytes (" + layout + ") after the " + headerBytes + "-byte header, input ends after "
                    + (knownSize - headerBytes));
        }
        byte[] payload;
        if (knownSize >= 0) {
            payload = new byte[(int) payloadBytes];
            got = readFully(in, payload, 0, payload.length, source);
        } else {
            // Unknown length (gzip): let readNBytes grow its buffer as data arrives, so a header that
            // claims gigabytes over a short stream fails on truncation, not on allocation.
            payload = readNBytes(in, (int) payloadBytes, source);
            got = payload.length;
        }
        if (got < payloadBytes) {
            throw new IdxFormatException(source, headerBytes + got, "truncated: expected " + payloadBytes
                    + " payload bytes (" + layout + ") after the " + headerBytes + "-byte header, input ends after "
                    + got);
        }
        long end = headerBytes + payloadBytes;
        if (limited) {
            return new IdxArray(source, type, dims, payload); // the rest is not what this run needs
        }
        long trailing = countRemaining(in, source, maxBytes - end);
        if (trailing > 0) {
            throw new IdxFormatException(source, end, trailing + " extra trailing bytes: expected the data to end after "
                    + payloadBytes + " payload bytes (" + layout + ")");
        }
        return new IdxArray(source, type, dims, payload);
    }

    private static int readFully(CountingInputStream in, byte[] buf, int off, int len, String source)
            throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int n = in.read(buf, off + total, len - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (EOFException | ZipException e) {
            throw brokenGzip(source, in.position(), e);
        }
        return total;
    }

    private static byte[] readNBytes(CountingInputStream in, int len, String source) throws IOException {
        try {
            return in.readNBytes(len);
        } catch (EOFException | ZipException e) {
            throw brokenGzip(source, in.position(), e);
        }
    }

    /** The bytes left after the payload, counted without storing them, and only up to {@code limit} (then one more). */
    private static long countRemaining(CountingInputStream in, String source, long limit) throws IOException {
        try {
            long bound = limit == Long.MAX_VALUE ? limit : limit + 1;
            byte[] sink = new byte[BUFFER_BYTES];
            long count = 0;
            for (int n; count < bound && (n = in.read(sink, 0, (int) Math.min(sink.length, bound - count))) > 0; ) {
                count += n;
            }
            return count;
        } catch (EOFException | ZipException e) {
            throw brokenGzip(source, in.position(), e);
        }
    }

    private static IdxFormatException brokenGzip(String source, long offset, IOException cause) {
        return new IdxFormatException(source, offset, "corrupt, truncated or extended gzip stream (" + cause.getMessage()
                + ")", cause);
    }

    /** Tracks how many decompressed bytes were consumed, so a broken gzip stream is reported where it broke. */
    private static final class CountingInputStream extends FilterInputStream {
        private long position;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }
    }
}
