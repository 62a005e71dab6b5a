package dev.panamax.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip reader (RFC 1952) that accepts exactly what a gzip file may hold: one or more members, each
 * checked against its CRC-32 and length, and nothing after the last. {@link java.util.zip.GZIPInputStream}
 * stops silently at bytes after a member that do not start another one, so a file with garbage (or a
 * second file) appended would be read as if it ended there; a plain IDX file with trailing bytes is
 * refused, and so is a gzipped one here.
 */
final class StrictGzipInputStream extends BlockInputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final byte[] buffer;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** buffer[pos, limit) holds compressed bytes not yet read here nor handed to the inflater. */
    private int pos;
    private int limit;
    /** Compressed bytes consumed so far, for messages. */
    private long compressedOffset;
    private long memberBytes;
    private boolean finished;

    StrictGzipInputStream(InputStream in, int bufferBytes) throws IOException {
        this.in = in;
        this.buffer = new byte[bufferBytes];
        readHeader(true);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!finished) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("invalid deflate data near compressed byte " + compressedOffset + ": " + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                // the bytes the inflater was given past the deflate data are the trailer and what follows
                int unused = inflater.getRemaining();
                pos = limit - unused;
                compressedOffset -= unused;
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("gzip member needs a preset dictionary, which gzip does not allow");
            } else if (inflater.needsInput()) {
                if (!fill()) {
                    throw new EOFException("gzip stream ends inside a member, at compressed byte " + compressedOffset);
                }
                feedInflater();
            }
        }
        return -1;
    }

    /** Hands buffer[pos, limit) to the inflater, which then owns those bytes. */
    private void feedInflater() {
        inflater.setInput(buffer, pos, limit - pos);
        compressedOffset += limit - pos;
        pos = limit;
    }

    /** After a member's deflate data: its trailer, then another member or the true end of the input. */
    private void endMember() throws IOException {
        long expectedCrc = readLittleEndian(4);
        long expectedSize = readLittleEndian(4);
        if (expectedCrc != crc.getValue()) {
            throw new ZipException(String.format("gzip member's CRC-32 is %08x, its trailer says %08x: corrupt data",
                    crc.getValue(), expectedCrc));
        }
        if (expectedSize != (memberBytes & 0xffffffffL)) {
            throw new ZipException("gzip member inflates to " + memberBytes + " bytes, its trailer says " + expectedSize);
        }
        if (!readHeader(false)) {
            finished = true;
        }
    }

    /** Makes buffer[pos, limit) non-empty, reading more input when it is empty; false at the end of the input. */
    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private int readByte() throws IOException {
        if (!fill()) {
            return -1;
        }
        compressedOffset++;
        return buffer[pos++] & 0xff;
    }

    private int requireByte(String what) throws IOException {
        int b = readByte();
        if (b < 0) {
            throw new EOFException("gzip stream ends inside " + what);
        }
        return b;
    }

    private long readLittleEndian(int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) requireByte("a member's trailer") << (8 * i);
        }
        return v;
    }

    /**
     * Reads a member header. At the start of the input one must be there; after a member the input may
     * end instead (returns false), but anything else that does not start a header is refused.
     */
    private boolean readHeader(boolean first) throws IOException {
        long at = compressedOffset;
        int id1 = readByte();
        if (id1 < 0 && !first) {
            return false;
        }
        int id2 = id1 < 0 ? -1 : readByte();
        if (id1 != 0x1f || id2 != 0x8b) {
            if (first) {
                throw new ZipException("not in gzip format");
            }
            long extra = (id2 < 0 ? 1 : 2) + (limit - pos) + countRest();
            throw new ZipException(extra + " bytes after the last gzip member (at compressed byte " + at + ") start no new"
                    + " member: something was appended to the file, or it is damaged");
        }
        int method = requireByte("a member header");
        int flags = requireByte("a member header");
        if (method != 8) {
            throw new ZipException("gzip member uses compression method " + method + ", not deflate (8)");
        }
        for (int i = 0; i < 6; i++) {
            requireByte("a member header"); // mtime, extra flags, OS
        }
        if ((flags & FEXTRA) != 0) {
            int length = requireByte("a member header") | requireByte("a member header") << 8;
            for (int i = 0; i < length; i++) {
                requireByte("a member's extra field");
            }
        }
        if ((flags & FNAME) != 0) {
            while (requireByte("a member's file name") != 0) {
                // the zero-terminated original name: not needed
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (requireByte("a member's comment") != 0) {
                // the zero-terminated comment: not needed
            }
        }
        if ((flags & FHCRC) != 0) {
            requireByte("a member's header CRC");
            requireByte("a member's header CRC");
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        if (pos < limit) {
            feedInflater();
        }
        return true;
    }

    /** How many bytes the input still holds (for the message about trailing bytes). */
    private long countRest() throws IOException {
        long n = 0;
        for (int r; (r = in.read(buffer, 0, buffer.length)) > 0; ) {
            n += r;
        }
        pos = limit;
        return n;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
