package dev.panamax.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {

    @Test
    void storageIsAlignedZeroedAndRowMajor() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 3, 5);
            assertEquals(0, t.segment().address() % Tensor.ALIGNMENT, "64-byte alignment");
            assertEquals(15, t.size());
            for (long i = 0; i < t.size(); i++) {
                assertEquals(0f, t.get(i));
            }
            t.set(1, 2, 7f);
            assertEquals(7f, t.get(1 * 5 + 2));
            assertEquals(3, t.rows());
            assertEquals(5, t.cols());
        }
    }

    @Test
    void rowViewsShareStorage() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
            Tensor v = t.rows(1, 2);
            assertArrayEquals(new int[] {2, 2}, v.shape());
            assertArrayEquals(new float[] {2, 3, 4, 5}, v.toArray());
            v.set(0, 42f);
            assertEquals(42f, t.get(2), "a view writes through to its base");
            assertArrayEquals(new float[] {0, 1, 42, 3, 4, 5}, t.reshape(6).toArray());
        }
    }

    @Test
    void misuseNamesTheShapes() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 4, 3);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> t.rows(3, 2));
            assertTrue(e.getMessage().contains("[4, 3]"), e.getMessage());
            var r = assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 2));
            assertTrue(r.getMessage().contains("[5, 2]"), r.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(arena, 2, -1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(arena, new float[5], 2, 3));
        }
    }

    @Test
    void useAfterOwnerClosedThrowsInsteadOfCrashing() {
        Tensor t;
        try (Arena arena = Arena.ofConfined()) {
            t = Tensor.allocate(arena, 8);
        }
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, () -> t.set(0, 1f));
    }

    /** torch.argmax's rule, row by row: first of equal maxima; a NaN is the largest, the first NaN wins. */
    @Test
    void argmaxOfRowFollowsTorch() {
        float nan = Float.NaN;
        float[][] rows = {
                {1f, 3f, 3f, 2f}, {Float.NEGATIVE_INFINITY, -5f, -5f, -7f}, {nan, 9f, 1f, 2f}, {1f, 9f, nan, nan},
                {2f, 2f, 2f, 2f}, {-0f, 0f, -1f, -2f}};
        int[] expected = {1, 1, 0, 2, 0, 0};
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            float[] flat = new float[rows.length * 4];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r], 0, flat, r * 4, 4);
            }
            Tensor t = Tensor.of(arena, flat, rows.length, 4);
            for (int r = 0; r < rows.length; r++) {
                assertEquals(expected[r], t.argmaxOfRow(r), "row " + java.util.Arrays.toString(rows[r]));
            }
        }
    }
}
