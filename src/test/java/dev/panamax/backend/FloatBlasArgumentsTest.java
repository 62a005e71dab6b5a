package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.panamax.backend.MatrixOrder.COLUMN_MAJOR;
import static dev.panamax.backend.MatrixOrder.ROW_MAJOR;
import static dev.panamax.backend.Transpose.NO_TRANSPOSE;
import static dev.panamax.backend.Transpose.TRANSPOSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every check of {@link FloatBlas}: a wrong call is refused before anything is written, with the routine,
 * the argument by its BLAS name, its value and what was expected.
 */
class FloatBlasArgumentsTest {
    private final FloatBlas blas = new FloatBlas(new ScalarBackend());
    // A 2x3, B 3x4, C 2x4, all row-major and contiguous
    private final float[] a = new float[6];
    private final float[] b = new float[12];
    private final float[] c = filled(8, 7f);

    private static float[] filled(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    private void assertRefused(String argument, Executable call, String... mentions) {
        float[] before = c.clone();
        BlasArgumentException e = assertThrows(BlasArgumentException.class, call);
        assertEquals(argument, e.argument(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should mention '" + m + "'");
        }
        assertArrayEquals(before, c, "nothing may be written by a refused call");
    }

    @Test
    void aCorrectCallPasses() {
        blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4);
        assertArrayEquals(new float[8], c);
    }

    @Test
    void sizesMustNotBeNegative() {
        assertRefused("m", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, -1, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f,
                c, 0, 4), "sgemm", "m = -1", ">= 0");
        assertRefused("k", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, -3, 1f, a, 0, 3, b, 0, 4, 0f,
                c, 0, 4), "k = -3");
        assertRefused("n", () -> blas.sdot(-2, a, 0, 1, b, 0, 1), "sdot", "n = -2");
    }

    @Test
    void leadingDimensionsAreCheckedInTheCallersOrder() {
        // row-major A 2x3 needs lda >= 3
        assertRefused("lda", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f,
                c, 0, 4), "lda = 2", "max(1, 3)", "A is stored 2 x 3 row-major", "rows are 3 long");
        // column-major A 2x3 needs lda >= 2; C 2x4 needs ldc >= 2
        assertRefused("ldc", () -> blas.sgemm(COLUMN_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 2, b, 0, 3,
                0f, c, 0, 1), "ldc = 1", "column-major", "columns are 2 long");
        // transposed B as stored is 4x3: ldb >= 3 row-major
        assertRefused("ldb", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, TRANSPOSE, 2, 4, 3, 1f, a, 0, 3, b, 0, 2, 0f,
                c, 0, 4), "ldb = 2", "B is stored 4 x 3");
        assertRefused("lda", () -> blas.sgemv(ROW_MAJOR, NO_TRANSPOSE, 2, 3, 1f, a, 0, 0, b, 0, 1, 0f, c, 0, 1),
                "sgemv", "lda = 0");
    }

    @Test
    void operandsMustFitTheirArrays() {
        assertRefused("B", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 3, b, 1, 4, 0f,
                c, 0, 4), "B (3 x 4 row-major, ldb 4) from offset 1 needs 13 floats, but B holds 12");
        assertRefused("C", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f,
                c, 0, 5), "C (2 x 4 row-major, ldc 5) from offset 0 needs 9 floats, but C holds 8");
        assertRefused("A", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, -1, 3, b, 0, 4, 0f,
                c, 0, 4), "offset of A is -1");
        assertRefused("y", () -> blas.saxpy(3, 1f, a, 0, 2, c, 0, 4), "y (3 elements, incY 4) from offset 0 needs 9");
        assertRefused("x", () -> blas.snrm2(7, a, 0, 1), "snrm2", "needs 7 floats, but x holds 6");
    }

    @Test
    void incrementsMustNotBeZero() {
        assertRefused("incX", () -> blas.sdot(3, a, 0, 0, b, 0, 1), "incX = 0", "must not be zero");
        assertRefused("incY", () -> blas.saxpy(3, 1f, a, 0, 1, c, 0, 0), "incY = 0");
        assertRefused("incX", () -> blas.sscal(3, 2f, c, 0, -1), "sscal", "incX = -1", "> 0");
        assertRefused("incX", () -> blas.snrm2(3, a, 0, 0), "snrm2");
    }

    @Test
    void anOutputMustNotShareMemoryWithAnInput() {
        float[] shared = new float[32];
        assertRefusedOn(shared, "C", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, shared, 0, 3,
                b, 0, 4, 0f, shared, 4, 4), "C (floats 4 to 11) overlaps A (floats 0 to 5)");
        assertRefusedOn(shared, "y", () -> blas.sgemv(ROW_MAJOR, NO_TRANSPOSE, 2, 3, 1f, a, 0, 3, shared, 0, 1, 0f,
                shared, 2, 1), "overlaps x");
        assertRefusedOn(shared, "y", () -> blas.saxpy(4, 1f, shared, 0, 1, shared, 2, 1), "overlaps x");
        // the same memory twice is no overlap of different data: y = (1 + alpha) y
        float[] y = {1f, 2f, 3f};
        blas.saxpy(3, 1f, y, 0, 1, y, 0, 1);
        assertArrayEquals(new float[]{2f, 4f, 6f}, y);
        // disjoint parts of one array are fine
        blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, shared, 0, 3, b, 0, 4, 0f, shared, 6, 4);
    }

    private static void assertRefusedOn(float[] data, String argument, Executable call, String mention) {
        float[] before = data.clone();
        BlasArgumentException e = assertThrows(BlasArgumentException.class, call);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().contains(mention), e.getMessage());
        assertArrayEquals(before, data);
    }

    @Test
    void nullsAreNamed() {
        assertRefused("order", () -> blas.sgemm(null, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c,
                0, 4), "order is null");
        assertRefused("A", () -> blas.sgemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, 2, 4, 3, 1f, (float[]) null, 0, 3, b,
                0, 4, 0f, c, 0, 4), "A is null");
        assertThrows(IllegalArgumentException.class, () -> new FloatBlas(null));
    }

    @Test
    void segmentsThatCannotBeUsedAreNamed() {
        MemorySegment readOnly = MemorySegment.ofArray(new float[8]).asReadOnly();
        BlasArgumentException e = assertThrows(BlasArgumentException.class, () -> blas.sscal(8, 2f, readOnly, 0, 1));
        assertTrue(e.getMessage().contains("x is the output and is read-only"), e.getMessage());

        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(64);
        closed.close();
        e = assertThrows(BlasArgumentException.class, () -> blas.sdot(4, gone, 0, 1, MemorySegment.ofArray(a), 0, 1));
        assertTrue(e.getMessage().contains("the arena of x is closed"), e.getMessage());
    }

    @Test
    void aSegmentConfinedToAnotherThreadIsNamed() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mine = arena.allocate(64);
            BlasArgumentException[] seen = new BlasArgumentException[1];
            Thread other = new Thread(() -> seen[0] = assertThrows(BlasArgumentException.class,
                    () -> blas.snrm2(4, mine, 0, 1)));
            other.start();
            other.join();
            assertTrue(seen[0].getMessage().contains("x belongs to a confined arena of another thread"),
                    seen[0].getMessage());
        }
    }
}
