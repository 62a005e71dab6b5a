package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxMalformedTest {
    @TempDir
    Path dir;

    /** A valid unsigned-byte file of dims [2, 3]: 4 magic + 8 dims + 6 payload = 18 bytes. */
    private static byte[] valid() {
        return new byte[] {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    private IdxFormatException failure(Path p, long offset, String... fragments) {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("at byte " + offset), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void validBaselineReads() throws IOException {
        IdxArray a = IdxReader.read(file("ok", valid()));
        assertEquals(6, a.count());
        assertEquals(6.0, a.get(5));
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = valid();
        b[1] = 0x01;
        failure(file("magic", b), 0, "wrong magic", "0x00 0x00", "0x01");
    }

    @Test
    void unknownType() throws IOException {
        byte[] b = valid();
        b[2] = 0x0A;
        failure(file("type", b), 2, "unknown element type 0x0A", "0x08");
    }

    @Test
    void rankZero() throws IOException {
        failure(file("rank", new byte[] {0, 0, 0x08, 0}), 3, "bad rank 0");
    }

    @Test
    void fileShorterThanMagic() throws IOException {
        failure(file("tiny", new byte[] {0, 0}), 2, "truncated", "magic");
    }

    @Test
    void truncatedDimensions() throws IOException {
        failure(file("dims", Arrays.copyOf(valid(), 9)), 9, "truncated header", "2 big-endian int32");
    }

    @Test
    void truncatedPayloadPlain() throws IOException {
        failure(file("short", Arrays.copyOf(valid(), 15)), 15, "truncated", "expected 6 payload bytes", "after 3");
    }

    @Test
    void truncatedPayloadGzip() throws IOException {
        Path p = file("short.gz", gzip(Arrays.copyOf(valid(), 15)));
        failure(p, 15, "truncated", "expected 6 payload bytes", "after 3");
    }

    @Test
    void trailingBytesPlain() throws IOException {
        byte[] b = Arrays.copyOf(valid(), 21);
        failure(file("trail", b), 18, "3 extra trailing bytes");
    }

    @Test
    void trailingBytesGzip() throws IOException {
        failure(file("trail.gz", gzip(Arrays.copyOf(valid(), 19))), 18, "1 extra trailing bytes");
    }

    /**
     * With an item limit, reading and inflating stop after the items asked for: a true header over
     * 24 MB of zeros (a bomb when read whole) gives its first 500 images, and a plain file that
     * is short only beyond them is not an error for a run that needs 500.
     */
    @Test
    void aLimitedReadStopsAfterTheItemsItNeeds() throws IOException {
        Path bomb = dir.resolve("limited-idx3-ubyte.gz");
        int images = 30_000;
        writeBlackImages(bomb, images);
        IdxArray head = IdxReader.read(bomb, 500);
        assertEquals(500, head.dim(0));
        assertEquals(500 * 784, head.count());
        byte[] claimsThree = valid(); // [2, 3] with 2 rows present: limited to 1 row it reads fine
        claimsThree[7] = 3;
        assertEquals(3, IdxReader.read(file("short-beyond", claimsThree), 1).count());
        failure(file("short-within", claimsThree), 18, "truncated");
    }

    /** Bytes after the last gzip member are refused, as trailing bytes of a plain file are. */
    @Test
    void bytesAppendedAfterTheGzipStreamAreRefused() throws IOException {
        byte[] z = gzip(valid());
        byte[] appended = Arrays.copyOf(z, z.length + 5);
        System.arraycopy(new byte[] {'j', 'u', 'n', 'k', '!'}, 0, appended, z.length, 5);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file("appended.gz", appended)));
        assertTrue(e.getMessage().contains("5 bytes after the last gzip member"), e.getMessage());
    }

    /** Concatenated members are one gzip file (RFC 1952), as gzip itself reads them. */
    @Test
    void concatenatedGzipMembersReadAsOneFile() throws IOException {
        byte[] v = valid();
        byte[] first = gzip(Arrays.copyOf(v, 7));
        byte[] second = gzip(Arrays.copyOfRange(v, 7, v.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        IdxArray a = IdxReader.read(file("two-members.gz", both));
        assertEquals(6, a.count());
        assertEquals(6, a.getInt(5));
    }

    @Test
    void aGzipMemberWithAWrongChecksumIsCorrupt() throws IOException {
        byte[] z = gzip(valid());
        z[z.length - 8] ^= 0x01; // the trailer's CRC-32
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file("crc.gz", z)));
        assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
    }

    @Test
    void negativeDimension() throws IOException {
        byte[] b = valid();
        b[8] = (byte) 0xFF; // second dimension becomes 0xFF000003, negative as int32
        failure(file("neg", b), 8, "negative dimension");
    }

    @Test
    void overflowingDimensionsFailBeforeAllocating() throws IOException {
        // [65536, 65536] unsigned bytes = 4 GiB: past what one array holds.
        byte[] b = {0, 0, 0x08, 2, 0, 1, 0, 0, 0, 1, 0, 0};
        failure(file("huge", b), 8, "overflow");
    }

    /** A plain file is measured before its payload is allocated: a header claiming 1.6 GB in 14 bytes is truncation. */
    @Test
    void hugeClaimInAShortPlainFileIsTruncationBeforeAllocating() throws IOException {
        byte[] b = {0, 0, 0x08, 2, 0, 0, (byte) 0x9C, 0x40, 0, 0, (byte) 0x9C, 0x40, 1, 2};
        Path p = file("claim", b);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        failure(p, 14, "truncated: expected 1600000000 payload bytes", "input ends after 2");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1 << 20, "reading the 14-byte file allocated " + allocated + " bytes");
    }

    @Test
    void hugeClaimInShortGzipIsRefusedBeforeInflating() throws IOException {
        // [40000, 40000] unsigned bytes (1.6 GB) claimed by a few compressed bytes
        byte[] b = {0, 0, 0x08, 2, 0, 0, (byte) 0x9C, 0x40, 0, 0, (byte) 0x9C, 0x40, 1, 2};
        failure(file("claim.gz", gzip(b)), 4, "claims 1600000000 payload bytes", "refusing to inflate");
    }

    @Test
    void aShortClaimInAGzipIsStillTruncation() throws IOException {
        // [100, 100] bytes claimed, 2 present: within the inflation allowance, so it is read and found short
        byte[] b = {0, 0, 0x08, 2, 0, 0, 0, 100, 0, 0, 0, 100, 1, 2};
        failure(file("short.gz", gzip(b)), 14, "truncated", "after 2");
    }

    /** A gzipped IDX file of {@code images} black 28x28 images: a true header, and about 1000:1 compression. */
    private static void writeBlackImages(Path file, int images) throws IOException {
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(file))) {
            out.write(new byte[] {0, 0, 0x08, 3, 0, 0, (byte) (images >> 8), (byte) images, 0, 0, 0, 28, 0, 0, 0, 28});
            byte[] zeros = new byte[784];
            for (int i = 0; i < images; i++) {
                out.write(zeros);
            }
        }
    }

    /** A true header over 24 MB of zeros: a real gzip bomb (about 1000:1) is refused from its header alone. */
    @Test
    void aGzipBombIsRefusedWithoutInflatingIt() throws IOException {
        Path bomb = dir.resolve("bomb-idx3-ubyte.gz");
        int images = 30_000;
        writeBlackImages(bomb, images);
        long compressed = java.nio.file.Files.size(bomb);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(bomb));
        assertTrue(e.getMessage().contains("more than " + IdxReader.MAX_GZIP_RATIO + " times the compressed file"),
                compressed + " bytes: " + e.getMessage());
    }

    @Test
    void cutGzipStreamIsReportedAsSuch() throws IOException {
        byte[] z = gzip(valid());
        Path p = file("cut.gz", Arrays.copyOf(z, z.length - 12));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
}
