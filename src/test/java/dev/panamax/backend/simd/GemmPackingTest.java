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
                        MemorySegment a = arena.allocate((long) storedRows * lda * Float.BYTES, 64);
                        for (long x = 0; x < (long) storedRows * lda; x++) {
                            a.setAtIndex(ValueLayout.JAVA_FLOAT, x, (float) rng.nextInt(-1000, 1000));
                        }
                        int panels = (mc + mr - 1) / mr;
                        float[] dst = new float[panels * mr * kc + MARGIN];
                        Arrays.fill(dst, Float.NaN);
                        GemmPacking.packA(a, transA, lda, i0, mc, p0, kc, scratch, dst);
                        String what = (transA ? "A^T" : "A") + " mc " + mc + " kc " + kc + ", MR " + mr + ", " + GemmBlocking.L + " lanes";
                        for (int q = 0; q < panels; q++) {
                            for (int p = 0; p < kc; p++) {
                                for (int r = 0; r < mr; r++) {
                                    int row = q * mr + r;
                                    float expected = row >= mc ? 0f : a.getAtIndex(ValueLayout.JAVA_FLOAT, transA
                                            ? (long) (p0 + p) * lda + i0 + row : (long) (i0 + row) * lda + p0 + p);
                                    assertEquals(expected, dst[q * mr * kc + p * mr + r],
                                            what + ": panel " + q + " step " + p + " row " + r);
                                }
                            }
                        }
                        for (int x = panels * mr * kc; x < dst.length; x++) {
                            assertTrue(Float.isNaN(dst[x]), what + ": wrote past the panels at " + x);
                        }
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
                        MemorySegment b = arena.allocate((long) storedRows * ldb * Float.BYTES, 64);
                        for (long x = 0; x < (long) storedRows * ldb; x++) {
                            b.setAtIndex(ValueLayout.JAVA_FLOAT, x, (float) rng.nextInt(-1000, 1000));
                        }
                        int panels = (nc + nr - 1) / nr;
                        float[] dst = new float[panels * nr * kc + MARGIN];
                        Arrays.fill(dst, Float.NaN);
                        GemmPacking.packB(b, transB, ldb, p0, kc, j0, nc, scratch, dst);
                        String what = (transB ? "B^T" : "B") + " nc " + nc + " kc " + kc + ", NR " + nr;
                        for (int q = 0; q < panels; q++) {
                            for (int p = 0; p < kc; p++) {
                                for (int c = 0; c < nr; c++) {
                                    int col = q * nr + c;
                                    float expected = col >= nc ? 0f : b.getAtIndex(ValueLayout.JAVA_FLOAT, transB
                                            ? (long) (j0 + col) * ldb + p0 + p : (long) (p0 + p) * ldb + j0 + col);
                                    assertEquals(expected, dst[q * nr * kc + p * nr + c],
                                            what + ": panel " + q + " step " + p + " column " + c);
                                }
                            }
                        }
                        for (int x = panels * nr * kc; x < dst.length; x++) {
                            assertTrue(Float.isNaN(dst[x]), what + ": wrote past the panels at " + x);
                        }
                    }
                }
            }
        }
    }
}
