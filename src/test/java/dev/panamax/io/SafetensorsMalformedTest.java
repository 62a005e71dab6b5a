package dev.panamax.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every format violation gets its own exception naming the file and the problem. */
class SafetensorsMalformedTest {

    @TempDir
    Path dir;

    private int counter;

    /** A one-tensor header whose fields can be swapped out: F32 [2] at [0, 8]. */
    private static String tensor(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private Path file(byte[] bytes) throws IOException {
        Path f = dir.resolve("case" + (counter++) + ".safetensors");
        Files.write(f, bytes);
        return f;
    }

    private static byte[] withHeader(long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        return b.array();
    }

    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return withHeader(h.length, h, dataBytes);
    }

    /** Opens the bytes as a file and returns the problem, after checking the message names the file. */
    private String problem(byte[] bytes) throws IOException {
        Path f = file(bytes);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        return e.problem();
    }

    private void expect(byte[] bytes, String... parts) throws IOException {
        String p = problem(bytes);
        for (String part : parts) {
            assertTrue(p.contains(part), () -> "problem should contain [" + part + "] but was: " + p);
        }
    }

    @Test
    void wellFormedBaselineOpens() throws IOException {
        // guards the fixtures below: the same builder with valid fields must be accepted
        Path f = file(withHeader("{" + tensor("a", "F32", "[2]", "[0,8]") + "}", 8));
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertEquals(java.util.List.of("a"), r.names());
        }
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        expect(new byte[0], "file is 0 bytes, shorter than the 8-byte header length prefix");
        expect(new byte[7], "file is 7 bytes");
    }

    @Test
    void headerLengthOverTheLimit() throws IOException {
        expect(withHeader(SafetensorsReader.MAX_HEADER_BYTES + 1, new byte[0], 0),
                "header length 100000001", "exceeds the limit");
        expect(withHeader(-1L, new byte[0], 0), "header length 18446744073709551615", "exceeds the limit");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        expect(withHeader(64, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 64", "runs past the end",
                "8 + 64 > 10 bytes");
    }

    @Test
    void invalidJsonNamesThePosition() throws IOException {
        expect(withHeader("{\"a\":", 0), "invalid JSON", "header byte 5", "file offset 13", "unexpected end");
        expect(withHeader("{} x", 0), "header byte 3", "after the end of the JSON value");
        expect(withHeader("", 0), "empty JSON text");
        expect(withHeader("{\"a\" 1}", 0), "header byte 5", "expected ':'");
        expect(withHeader("{\"a\":[1,2,]}", 0), "header byte 10", "expected a value");
        expect(withHeader("{\"a\":1.5}", 0), "only integers");
        expect(withHeader("{\"a\":01}", 0), "leading zeros");
        expect(withHeader("{\"a\":true}", 0), "expected a value");
        expect(withHeader("{\"a\":99999999999999999999}", 0), "64-bit range");
        expect(withHeader("{\"a\\q\":1}", 0), "header byte 3", "invalid escape sequence \\q");
        expect(withHeader("{\"a\\u12\":1}", 0), "\\u escape needs 4 hex digits");
        expect(withHeader("{\"a\nb\":1}", 0), "raw control character 0x0a");
        expect(withHeader("{\"a\":\"x", 0), "unterminated string");
        byte[] badUtf8 = {'{', '"', (byte) 0xc3, '"', ':', '1', '}'};
        expect(withHeader(badUtf8.length, badUtf8, 0), "invalid UTF-8", "header byte 2");
    }

    /** Wherever a header keeps keys (tensor names, a tensor's fields, metadata), a key may appear once. */
    @Test
    void duplicateKeysAreRefusedWhereTheyWouldShadowAnother() throws IOException {
        expect(withHeader("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "header byte 25", "duplicate key \"k\"");
        expect(withHeader("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "duplicate key \"__metadata__\"");
        expect(withHeader("{" + tensor("a", "F32", "[1]", "[0,4]") + "," + tensor("a", "F32", "[1]", "[4,8]") + "}", 8),
                "duplicate key \"a\"");
        expect(withHeader("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}", 0), "duplicate key \"dtype\"");
    }

    /** Nesting is bounded before it can exhaust the stack: 100,000 open brackets are an error, not a StackOverflowError. */
    @Test
    void deepNestingIsAnErrorNotAStackOverflow() throws IOException {
        expect(withHeader("[".repeat(100_000), 0), "nesting deeper than 64 levels", "header byte 65");
        expect(withHeader("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", 0), "nesting deeper than 64");
    }

    /**
     * A header that is valid JSON but not a safetensors header is refused at its first value that
     * breaks the format, and what follows is never held in memory: no JSON tree is built, which for
     * these 9 MB of empty objects and arrays would take some 200 MB of maps and lists. Counted as the
     * bytes this thread allocates: the header's own copy, and not much more.
     */
    @Test
    void aHeaderIsHeldInMemoryNoFurtherThanItsFirstViolation() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String[][] cases = {
            {"{\"x\":[", "{}", "]}", "tensor \"x\" must be an object with dtype, shape and data_offsets, found an array"},
            {"{\"__metadata__\":{\"k\":[", "[]", "]}}", "\"__metadata__\" entry \"k\" must be a string, found an array"},
        };
        for (String[] c : cases) {
            int items = 3_000_000;
            StringBuilder json = new StringBuilder(c[0]);
            for (int i = 0; i < items; i++) {
                json.append(i == 0 ? "" : ",").append(c[1]);
            }
            byte[] bytes = withHeader(json.append(c[2]).toString(), 0);
            Path f = file(bytes);
            long before = threads.getCurrentThreadAllocatedBytes();
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(f));
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(e.problem().contains(c[3]), e.problem());
            assertTrue(allocated < 2L * bytes.length, "opening the " + bytes.length + "-byte file allocated " + allocated
                    + " bytes: more than twice the file");
        }
    }

    /** Metadata entries are counted as they are read: more than the limit is refused at the first one over it. */
    @Test
    void metadataEntriesAreLimited() throws IOException {
        assertLimited("{\"__metadata__\":{", "}}", i -> "\"" + Integer.toHexString(i) + "\":\"\"",
                SafetensorsHeader.MAX_METADATA_ENTRIES, r -> r.metadata().size(),
                "\"__metadata__\" holds more than 65536 entries", "(entry \"10000\")");
    }

    /** Zero-size tensors: valid entries that tile an empty data region, each one costing the reader objects. */
    @Test
    void tensorEntriesAreLimited() throws IOException {
        assertLimited("{", "}", i -> "\"t" + i + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}",
                SafetensorsHeader.MAX_TENSORS, r -> r.tensors().size(), "holds more than 65536 tensors",
                "(tensor \"t65536\")");
    }

    // a header of `limit` entries opens with all of them; one more is refused, naming the first one over
    private void assertLimited(String open, String close, java.util.function.IntFunction<String> entry, int limit,
                               java.util.function.ToIntFunction<SafetensorsReader> count, String... mentions)
            throws IOException {
        StringBuilder json = new StringBuilder(open);
        for (int i = 0; i < limit; i++) {
            json.append(i == 0 ? "" : ",").append(entry.apply(i));
        }
        try (SafetensorsReader r = SafetensorsReader.open(file(withHeader(json + close, 0)))) {
            assertEquals(limit, count.applyAsInt(r));
        }
        expect(withHeader(json.append(',').append(entry.apply(limit)).append(close).toString(), 0), mentions);
    }

    @Test
    void headerMustBeAnObjectWithStringMetadata() throws IOException {
        expect(withHeader("[]", 0), "must be an object, found an array");
        expect(withHeader("{\"__metadata__\":{\"n\":1}}", 0), "\"__metadata__\" entry \"n\" must be a string");
        expect(withHeader("{\"__metadata__\":\"x\"}", 0), "\"__metadata__\" must be an object");
    }

    @Test
    void tensorEntriesNeedExactlyTheThreeFields() throws IOException {
        expect(withHeader("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor \"a\" is missing \"dtype\"");
        expect(withHeader("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "missing \"shape\"");
        expect(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "missing \"data_offsets\"");
        expect(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8),
                "tensor \"a\" has unknown field \"x\"");
        expect(withHeader("{\"a\":5}", 0), "tensor \"a\" must be an object");
    }

    @Test
    void unknownDtype() throws IOException {
        expect(withHeader("{" + tensor("a", "F31", "[2]", "[0,8]") + "}", 8),
                "tensor \"a\" has unknown dtype \"F31\"", "known: BOOL, U8");
    }

    @Test
    void negativeOrNonIntegerShape() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[2,-1]", "[0,8]") + "}", 8),
                "tensor \"a\" shape[1] is negative: -1");
        expect(withHeader("{" + tensor("a", "F32", "[\"2\"]", "[0,8]") + "}", 8),
                "tensor \"a\" shape[0] must be an integer");
        expect(withHeader("{" + tensor("a", "F32", "[3000000000]", "[0,8]") + "}", 8),
                "exceeds the largest supported dimension");
        // a zero-size tensor is valid whatever its rank, but one of thousands of dimensions is refused
        String dims = "[0" + ",1".repeat(SafetensorsHeader.MAX_RANK - 1);
        Path atTheLimit = file(withHeader("{" + tensor("a", "F32", dims + "]", "[0,0]") + "}", 0));
        try (SafetensorsReader r = SafetensorsReader.open(atTheLimit)) {
            assertEquals(SafetensorsHeader.MAX_RANK, r.shape("a").length);
        }
        expect(withHeader("{" + tensor("a", "F32", dims + ",1]", "[0,0]") + "}", 0),
                "tensor \"a\" shape has more than 1024 dimensions");
    }

    @Test
    void dataOffsetsOutOfRange() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[0,16]") + "}", 8),
                "tensor \"a\" data_offsets [0, 16] run past the end of the data region (8 bytes)");
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[8,0]") + "}", 8), "must satisfy 0 <= begin <= end");
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[-8,0]") + "}", 8), "must satisfy 0 <= begin <= end");
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[0]") + "}", 8), "array of two integers", "found [0]");
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[0,8,16]") + "}", 8), "found more than two values");
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[\"0\",8]") + "}", 8), "found the string \"0\" at index 0");
    }

    @Test
    void byteSizeMustMatchDtypeTimesShape() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[3]", "[0,8]") + "}", 8),
                "tensor \"a\" data_offsets [0, 8] span 8 bytes but F32 shape [3] needs 12 bytes");
        expect(withHeader("{" + tensor("b", "I64", "[2]", "[0,8]") + "}", 8), "I64 shape [2] needs 16 bytes");
        // a shape of many dimensions is shortened in the message
        expect(withHeader("{" + tensor("c", "F32", "[1,1,1,1,1,1,1,1,1,3]", "[0,8]") + "}", 8),
                "F32 shape [1, 1, 1, 1, 1, 1, 1, 1, ... (10 dimensions)] needs 12 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[0,8]") + "," + tensor("b", "F32", "[2]", "[4,12]") + "}", 12),
                "tensor \"b\" data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
    }

    @Test
    void gapsBetweenTensors() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[1]", "[0,4]") + "," + tensor("b", "F32", "[1]", "[8,12]") + "}", 12),
                "gap of 4 bytes", "data offset 4", "before tensor \"b\"", "after tensor \"a\"");
        expect(withHeader("{" + tensor("a", "F32", "[1]", "[4,8]") + "}", 8), "gap of 4 bytes", "data offset 0");
    }

    @Test
    void fileLengthMustEqualHeaderPlusData() throws IOException {
        expect(withHeader("{" + tensor("a", "F32", "[2]", "[0,8]") + "}", 12),
                "file length does not match", "data region holds 12 bytes", "4 trailing bytes after tensor \"a\"");
        expect(withHeader("{}", 3), "3 trailing bytes after the header");
    }
}
