package dev.panamax.backend.simd;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GemmPacking's A and B panels against the layout written out element by element, for the tile this JVM uses (the
 * width executions run it again, with 4-, 6- and 12-row panels at 4, 8 and 16 lanes): every entry of every panel is
 * the operand's value or the zero that pads an edge panel, and nothing is written past the panels, as checked with
 * NaN in the whole destination before packing and in a margin after it. The 6-row panels' overlapping stores (a
 * step's whole vector or 4 x 4 block runs into the next step's first floats) would show here as a stale or a stray
 * value.
 */
class GemmPackingTest {
    private static final int MARGIN = 64;

    @Test
    void aPanelsHoldAsValuesAndPaddingZerosAndNothingElse() {
        int mr = GemmBlocking.MR;
        int[] rowCounts = {1, mr - 1, mr, mr + 1, 2 * mr + 3, 5 * mr};
        int[] steps = {1, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33}; // 4 x 4 blocks: none, one, one with a step after it
        SplittableRandom rng = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate((long) GemmPacking.TRANSPOSE_SCRATCH * Float.BYTES, 64);
            for (boolean transA : new boolean[] {false, true}) {
                for (int mc : rowCounts) {
                    for (int kc : steps) {
                        int i0 = 2, p0 = 3; // a block inside a larger A, at offsets that are not whole vectors
                        int m = i0 + mc + 1, k = p0 + kc + 2;
                        int lda = transA ? m + 5 : k + 5;
                        int storedRows = transA ? k : m;
                        MemorySegment a = randomMatrix(arena, storedRows, lda, rng);
                        float[] dst = nanFilled((mc + mr - 1) / mr * mr * kc);
                        GemmPacking.packA(a, transA, lda, i0, mc, p0, kc, scratch, dst);
                        String what = (transA ? "A^T" : "A") + " mc " + mc + " kc " + kc + ", MR " + mr + ", "
                                + GemmBlocking.L + " lanes";
                        assertPanels(dst, mr, mc, kc, (row, p) -> a.getAtIndex(ValueLayout.JAVA_FLOAT, transA
                                ? (long) (p0 + p) * lda + i0 + row : (long) (i0 + row) * lda + p0 + p), what);
                    }
                }
            }
        }
    }

    @Test
    void bPanelsHoldBsValuesAndPaddingZerosAndNothingElse() {
        int nr = GemmBlocking.NR;
        int[] columnCounts = {1, GemmBlocking.L - 1, GemmBlocking.L, GemmBlocking.L + 3, nr, 2 * nr + 5};
        int[] steps = {1, 3, 4, 5, 8, 9, 17, 33};
        SplittableRandom rng = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate((long) GemmPacking.TRANSPOSE_SCRATCH * Float.BYTES, 64);
            for (boolean transB : new boolean[] {false, true}) {
                for (int nc : columnCounts) {
                    for (int kc : steps) {
                        int j0 = 3, p0 = 2;
                        int n = j0 + nc + 2, k = p0 + kc + 1;
                        int ldb = transB ? k + 3 : n + 3;
                        int storedRows = transB ? n : k;
                        MemorySegment b = randomMatrix(arena, storedRows, ldb, rng);
                        float[] dst = nanFilled((nc + nr - 1) / nr * nr * kc);
                        GemmPacking.packB(b, transB, ldb, p0, kc, j0, nc, scratch, dst);
                        String what = (transB ? "B^T" : "B") + " nc " + nc + " kc " + kc + ", NR " + nr;
                        assertPanels(dst, nr, nc, kc, (col, p) -> b.getAtIndex(ValueLayout.JAVA_FLOAT, transB
                                ? (long) (j0 + col) * ldb + p0 + p : (long) (p0 + p) * ldb + j0 + col), what);
                    }
                }
            }
        }
    }

    /** The operand's element at (index across the panels, step). */
    private interface Element {
        float at(int index, int step);
    }

    private static MemorySegment randomMatrix(Arena arena, int rows, int ld, SplittableRandom rng) {
        MemorySegment m = arena.allocate((long) rows * ld * Float.BYTES, 64);
        for (long x = 0; x < (long) rows * ld; x++) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT, x, (float) rng.nextInt(-1000, 1000));
        }
        return m;
    }

    // the panels' floats and a margin after them, all NaN
    private static float[] nanFilled(int panelFloats) {
        float[] dst = new float[panelFloats + MARGIN];
        Arrays.fill(dst, Float.NaN);
        return dst;
    }

    // panels of `width` (rows of A or columns of B), step p of index i of panel q at q*width*kc + p*width + i:
    // the element, or 0 past `used`; and the margin still NaN
    private static void assertPanels(float[] dst, int width, int used, int kc, Element element, String what) {
        int panels = (used + width - 1) / width;
        for (int q = 0; q < panels; q++) {
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < width; i++) {
                    int index = q * width + i;
                    assertEquals(index >= used ? 0f : element.at(index, p), dst[q * width * kc + p * width + i],
                            what + ": panel " + q + " step " + p + " index " + i);
                }
            }
        }
        for (int x = panels * width * kc; x < dst.length; x++) {
            assertTrue(Float.isNaN(dst[x]), what + ": wrote past the panels at " + x);
        }
    }
}
