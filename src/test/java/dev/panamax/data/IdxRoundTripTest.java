package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdxRoundTripTest {
    @TempDir
    Path dir;

    /** Values that exercise each type's extremes and sign; exact in every type they are written to. */
    private static double[] valuesFor(IdxType type, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case UNSIGNED_BYTE -> (i * 37) % 256;
                case SIGNED_BYTE -> (i * 37) % 256 - 128;
                case SHORT -> (i * 4099) % 65536 - 32768;
                case INT -> (i % 2 == 0 ? 1 : -1) * (i * 123_456_789L % Integer.MAX_VALUE);
                case FLOAT -> (float) ((i - n / 2) * 0.1);
                case DOUBLE -> (i - n / 2) * Math.PI * 1e-3;
            };
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(IdxType.class)
    void everyTypeSurvivesPlainAndGzipRoundTrip(IdxType type) throws IOException {
        int[] dims = {3, 5, 7};
        double[] values = valuesFor(type, 3 * 5 * 7);
        IdxArray original = IdxArray.fromValues(type, dims, values);
        for (boolean gzip : new boolean[] {false, true}) {
            // The gzipped copy is named like a plain file: detection must use the magic bytes.
            Path file = dir.resolve(type + (gzip ? "-zipped" : "-plain") + ".idx");
            IdxWriter.write(file, original, gzip);
            byte[] head = Files.readAllBytes(file);
            assertEquals(gzip ? 0x1f : 0x00, head[0] & 0xFF);
            IdxArray back = IdxReader.read(file);
            assertEquals(type, back.type());
            assertArrayEquals(dims, back.dims());
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], back.get(i), 0.0, "element " + i);
            }
            assertArrayEquals(original.toByteArray(), back.toByteArray());
        }
    }

    @Test
    void plainFileHasTheDocumentedLayout() throws IOException {
        IdxArray a = IdxArray.fromValues(IdxType.SHORT, new int[] {2, 1}, new double[] {258, -2});
        Path file = dir.resolve("s.idx");
        IdxWriter.write(file, a, false);
        byte[] expected = {0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0x01, 0x02, (byte) 0xFF, (byte) 0xFE};
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void writerReplacesAnExistingFileAndLeavesNoTemporaries() throws IOException {
        Path file = dir.resolve("labels");
        IdxWriter.write(file, IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {1}, new double[] {1}), true);
        IdxWriter.write(file, IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {2}, new double[] {7, 9}), true);
        assertArrayEquals(new int[] {2}, IdxReader.read(file).dims());
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "only the target remains");
        }
    }

    @Test
    void emptyDimensionRoundTrips() throws IOException {
        Path file = dir.resolve("empty");
        IdxWriter.write(file, IdxArray.fromValues(IdxType.FLOAT, new int[] {0, 4}, new double[0]), false);
        IdxArray back = IdxReader.read(file);
        assertArrayEquals(new int[] {0, 4}, back.dims());
        assertEquals(0, back.count());
    }

    @Test
    void fromValuesRejectsValuesTheTypeCannotHold() {
        assertThrows(IllegalArgumentException.class,
                () -> IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {1}, new double[] {256}));
        assertThrows(IllegalArgumentException.class,
                () -> IdxArray.fromValues(IdxType.SIGNED_BYTE, new int[] {1}, new double[] {0.5}));
        assertThrows(IllegalArgumentException.class,
                () -> IdxArray.fromValues(IdxType.SHORT, new int[] {2}, new double[] {1}));
    }
}
