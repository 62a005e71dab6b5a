package dev.panamax.io;

import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    /** Values chosen so that any conversion through another type or order would change bits. */
    private static final float[] AWKWARD = {
            1f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7fc00123), 0.1f, -3.5e-39f, 123456.78f};

    @Test
    void roundTripKeepsEveryBitShapeOrderAndMetadata() throws IOException {
        Path file = dir.resolve("rt.safetensors");
        long[] labels = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 9};
        try (Arena arena = Arena.ofConfined()) {
            Tensor weights = Tensor.of(arena, AWKWARD, 3, 3);
            new SafetensorsWriter()
                    .metadata("note", "quote \" backslash \\ newline \n tab \t unicode \u00e9\u4e2d \ud83d\ude00")
                    .metadata("empty", "")
                    .addF32("weights", weights)
                    .addF32("bias", new float[] {2f, 3f, 4f}, 3)
                    .addF32("scalar", new float[] {7.25f})
                    .addF32("empty", new float[0], 0, 4)
                    .addI64("labels", labels, 5)
                    .write(file);
        }
        try (SafetensorsReader r = SafetensorsReader.open(file); Arena arena = Arena.ofConfined()) {
            // 8-byte dtypes first, then insertion order
            assertEquals(List.of("labels", "weights", "bias", "scalar", "empty"), r.names());
            assertEquals(Map.of("note", "quote \" backslash \\ newline \n tab \t unicode \u00e9\u4e2d \ud83d\ude00",
                    "empty", ""), r.metadata());
            assertEquals(DType.F32, r.dtype("weights"));
            assertArrayEquals(new int[] {3, 3}, r.shape("weights"));
            assertArrayEquals(new int[] {}, r.shape("scalar"));
            assertArrayEquals(new int[] {0, 4}, r.shape("empty"));
            assertEquals(DType.I64, r.dtype("labels"));
            assertArrayEquals(labels, r.readLongs("labels"));
            Tensor w = r.readF32("weights", arena);
            assertArrayEquals(new int[] {3, 3}, w.shape());
            float[] back = w.toArray();
            float[] asArray = r.readFloats("weights");
            for (int i = 0; i < AWKWARD.length; i++) {
                assertEquals(Float.floatToRawIntBits(AWKWARD[i]), Float.floatToRawIntBits(back[i]), "element " + i);
                assertEquals(Float.floatToRawIntBits(AWKWARD[i]), Float.floatToRawIntBits(asArray[i]), "element " + i);
            }
            assertArrayEquals(new float[] {2f, 3f, 4f}, r.readFloats("bias"));
            assertArrayEquals(new float[] {7.25f}, r.readFloats("scalar"));
            assertEquals(0, r.readF32("empty", arena).size());
            Tensor into = Tensor.allocate(arena, 3);
            r.readF32Into("bias", into);
            assertArrayEquals(new float[] {2f, 3f, 4f}, into.toArray());
        }
    }

    @Test
    void layoutIsLittleEndianWithSpacePaddedHeaderOnAnEightByteBoundary() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        new SafetensorsWriter().metadata("k", "v").addF32("one", new float[] {1f}, 1).write(file);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header length " + n + " must be a multiple of 8");
        assertEquals(8 + n + 4, bytes.length);
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"},\"one\":{"), header);
        assertTrue(header.stripTrailing().endsWith("}") && header.substring(header.lastIndexOf('}') + 1).isBlank(),
                "header is padded with spaces only: [" + header + "]");
        // 1.0f = 0x3f800000, least significant byte first
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, java.util.Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length));
    }

    @Test
    void failedWriteLeavesTheExistingFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        new SafetensorsWriter().addF32("a", new float[] {1f, 2f}, 2).write(file);
        byte[] before = Files.readAllBytes(file);

        Arena gone = Arena.ofConfined();
        Tensor dead = Tensor.allocate(gone, 4);
        gone.close(); // reading this tensor during write() fails half-way through the file
        SafetensorsWriter failing = new SafetensorsWriter().addF32("first", new float[] {5f}, 1).addF32("dead", dead);
        assertThrows(IllegalStateException.class, () -> failing.write(file));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "temporary file must be removed");
        }
    }

    @Test
    void writerRejectsBadArgumentsByName() {
        SafetensorsWriter w = new SafetensorsWriter().addF32("x", new float[] {1f}, 1);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> w.addF32("x", new float[] {1f}, 1)),
                "\"x\" was already added");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> w.addF32("__metadata__", new float[] {1f}, 1)), "reserved");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> w.addF32("y", new float[] {1f, 2f}, 3)),
                "needs 3 values, got 2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> w.addI64("z", new long[0], -1)),
                "negative dimension");
    }

    @Test
    void readerNamesMissingTensorsAndWrongTypes() throws IOException {
        Path file = dir.resolve("r.safetensors");
        new SafetensorsWriter().addF32("a", new float[] {1f}, 1).addI64("b", new long[] {1}, 1).write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file); Arena arena = Arena.ofConfined()) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> r.info("c")),
                    "no tensor named \"c\" (tensors: b, a)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> r.readF32("b", arena)),
                    "\"b\" is I64, not F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> r.readLongs("a")),
                    "\"a\" is F32, not I64");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> r.readF32Into("a", Tensor.allocate(arena, 2))), "has shape [1], the target has [2]");
        }
    }

    static void assertMessage(Throwable e, String expectedPart) {
        assertTrue(e.getMessage().contains(expectedPart),
                () -> "message should contain [" + expectedPart + "] but was: " + e.getMessage());
    }
}
