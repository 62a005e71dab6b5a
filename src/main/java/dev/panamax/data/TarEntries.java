package dev.panamax.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the regular files of a tar archive (POSIX ustar, as {@code npm pack} writes it, and GNU tar's
 * long names) one after the other from a stream, without unpacking anything else: an npm tarball
 * holds the data set beside scripts and tests that have no business on disk.
 *
 * <p>Use: {@code while (entries.next()) { entries.name(); entries.size(); entries.content() ... }}.
 * {@link #content()} reads the current entry only; what a caller leaves unread is skipped by the next
 * {@link #next()}. A truncated archive or a malformed header is an {@link IOException} naming the
 * offset.
 */
final class TarEntries {
    private static final int BLOCK = 512;
    private static final byte REGULAR = '0';
    private static final byte REGULAR_OLD = 0;
    private static final byte GNU_LONG_NAME = 'L';
    private static final byte PAX_HEADER = 'x';

    private final InputStream in;
    private final String source;
    private long offset;
    private String name;
    private long size;
    private long remaining;
    private boolean finished;

    public TarEntries(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Advances to the next regular file; false at the end of the archive. */
    public boolean next() throws IOException {
        skip(remaining + padding(size));
        remaining = 0;
        size = 0;
        String longName = null;
        while (!finished) {
            byte[] header = readBlock();
            if (header == null || isZero(header)) {
                finished = true;
                return false;
            }
            checkChecksum(header);
            long entrySize = octal(header, 124, 12);
            byte type = header[156];
            if (type == GNU_LONG_NAME) {
                byte[] text = readFully(entrySize);
                skip(padding(entrySize));
                longName = cString(text, 0, text.length);
                continue;
            }
            if (type == PAX_HEADER) {
                byte[] text = readFully(entrySize);
                skip(padding(entrySize));
                String path = paxPath(text);
                if (path != null) {
                    longName = path;
                }
                continue;
            }
            String entryName = longName != null ? longName : headerName(header);
            longName = null;
            if (type == REGULAR || type == REGULAR_OLD) {
                name = entryName;
                size = entrySize;
                remaining = entrySize;
                return true;
            }
            // folders, links, pax headers (their attributes are not needed to read npm's names): skipped whole
            skip(entrySize + padding(entrySize));
        }
        return false;
    }

    /** The current entry's path inside the archive, e.g. "package/data/t10k-labels-idx1-ubyte". */
    public String name() {
        return name;
    }

    /** The current entry's size in bytes. */
    public long size() {
        return size;
    }

    /** The current entry's bytes; ends at the entry's end and leaves the archive stream open. */
    public InputStream content() {
        return new BlockInputStream() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException(source + ": archive ends inside " + name + " at offset " + offset);
                }
                remaining -= n;
                offset += n;
                return n;
            }
        };
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private byte[] readBlock() throws IOException {
        byte[] block = new byte[BLOCK];
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return null; // no end-of-archive blocks: some writers stop right after the last entry
        }
        if (n < BLOCK) {
            throw new EOFException(source + ": truncated tar header at offset " + offset);
        }
        offset += BLOCK;
        return block;
    }

    private byte[] readFully(long count) throws IOException {
        if (count > 1 << 20) {
            throw new IOException(source + ": a long-name entry of " + count + " bytes at offset " + offset);
        }
        byte[] out = in.readNBytes((int) count);
        if (out.length < count) {
            throw new EOFException(source + ": archive ends at offset " + (offset + out.length));
        }
        offset += count;
        return out;
    }

    private void skip(long count) throws IOException {
        long left = count;
        while (left > 0) {
            long n = in.skip(left);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(source + ": archive ends at offset " + offset + ", " + left + " bytes early");
                }
                n = 1;
            }
            left -= n;
            offset += n;
        }
    }

    /** The "path" record of a pax extended header ("LENGTH path=VALUE\n" records), or null. */
    private String paxPath(byte[] text) throws IOException {
        int at = 0;
        String path = null;
        while (at < text.length) {
            int space = at;
            while (space < text.length && text[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(text, at, space - at, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException(source + ": malformed pax header before offset " + offset);
            }
            if (length <= space - at || at + length > text.length) {
                throw new IOException(source + ": malformed pax header record before offset " + offset);
            }
            String record = new String(text, space + 1, at + length - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring("path=".length());
            }
            at += length;
        }
        return path;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkChecksum(byte[] header) throws IOException {
        long stored = octal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        }
        if (sum != stored) {
            throw new IOException(source + ": tar header at offset " + (offset - BLOCK) + " fails its checksum ("
                    + stored + " stored, " + sum + " computed): not a tar archive, or a damaged one");
        }
    }

    private long octal(byte[] header, int at, int length) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = at; i < at + length; i++) {
            byte b = header[i];
            if (b == 0 || (b == ' ' && digits)) {
                break;
            }
            if (b == ' ') {
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IOException(source + ": tar header at offset " + (offset - BLOCK)
                        + " has a malformed number field at byte " + at + ": not a tar archive, or a damaged one");
            }
            value = value * 8 + (b - '0');
            digits = true;
        }
        return value;
    }

    private static String headerName(byte[] header) {
        String base = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? base : prefix + "/" + base;
    }

    private static String cString(byte[] bytes, int at, int length) {
        int end = at;
        while (end < at + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.UTF_8);
    }
}
