package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * Kernels that read A where it is stored, along k, instead of transposing it into packed panels; used
 * with 32 registers only (SimdGemm.IN_PLACE_A).
 * {@link #multiplyFromA} serves every product whose A is stored along k (NN, NT), unless A's rows
 * alias in L1. It also makes the swapped NT product possible: for {@code C = A B^T} with A (m,k) and
 * B (n,k) both stored along k, one operand has to be transposed into panels whose vectors run across
 * rows, so SimdGemm computes {@code C^T = B A^T} when A is the smaller: B, read in place, is the
 * broadcast side, and only A is transposed. For a layer's forward (x W^T) with a batch smaller than
 * the layer's width, the weight matrix is then never transposed. The swapped product writes C
 * transposed: its tiles accumulate over the k blocks in a C^T buffer ({@link #accumulate}), which is
 * transposed into C once at the end ({@link #transposeInto}), so each element crosses over once.
 */
final class GemmInPlaceKernels {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private GemmInPlaceKernels() {
    }

    /**
     * a: MR rows stored along k, row r at byte offset aOff + min(r, mr - 1) * ldaBytes (rows past mr
     * repeat the last one; their products are never written); bp: a packed B micro-panel, kc steps of
     * NR floats from bpOff -> tile (MR,NR) row-major = the product, with the same fmas in the same order
     * as {@link GemmMicroKernel#multiply}.
     */
    static void multiplyFromA(int kc, MemorySegment a, long aOff, long ldaBytes, int mr, float[] bp, int bpOff,
                              float[] tile) {
        long a0 = aOff;
        long a1 = aOff + Math.min(1, mr - 1) * ldaBytes;
        long a2 = aOff + Math.min(2, mr - 1) * ldaBytes;
        long a3 = aOff + Math.min(3, mr - 1) * ldaBytes;
        long a4 = aOff + Math.min(4, mr - 1) * ldaBytes;
        long a5 = aOff + Math.min(5, mr - 1) * ldaBytes;
        long a6 = aOff + Math.min(6, mr - 1) * ldaBytes;
        long a7 = aOff + Math.min(7, mr - 1) * ldaBytes;
        long a8 = aOff + Math.min(8, mr - 1) * ldaBytes;
        long a9 = aOff + Math.min(9, mr - 1) * ldaBytes;
        long a10 = aOff + Math.min(10, mr - 1) * ldaBytes;
        long a11 = aOff + Math.min(11, mr - 1) * ldaBytes;
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        FloatVector c80 = FloatVector.zero(F), c81 = FloatVector.zero(F);
        FloatVector c90 = FloatVector.zero(F), c91 = FloatVector.zero(F);
        FloatVector c100 = FloatVector.zero(F), c101 = FloatVector.zero(F);
        FloatVector c110 = FloatVector.zero(F), c111 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            long step = (long) p * Float.BYTES;
            int bi = bpOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector v;
            v = FloatVector.broadcast(F, a.get(FLOAT, a0 + step));
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, a.get(FLOAT, a1 + step));
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, a.get(FLOAT, a2 + step));
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, a.get(FLOAT, a3 + step));
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, a.get(FLOAT, a4 + step));
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, a.get(FLOAT, a5 + step));
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(F, a.get(FLOAT, a6 + step));
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(F, a.get(FLOAT, a7 + step));
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(F, a.get(FLOAT, a8 + step));
            c80 = v.fma(b0, c80);
            c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(F, a.get(FLOAT, a9 + step));
            c90 = v.fma(b0, c90);
            c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(F, a.get(FLOAT, a10 + step));
            c100 = v.fma(b0, c100);
            c101 = v.fma(b1, c101);
            v = FloatVector.broadcast(F, a.get(FLOAT, a11 + step));
            c110 = v.fma(b0, c110);
            c111 = v.fma(b1, c111);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + L);
    }

    /**
     * tile (MR,NR) -> the top-left (mr,nr) of the C^T tile at ct[at], row stride ld (floats):
     * {@code ct = alpha * tile} for the first k block ({@code first}), {@code ct += alpha * tile} after.
     * With beta == 0 that is the rounding of {@link GemmMicroKernel#writeBack}, bit for bit; with beta != 0
     * the k blocks are summed first and {@code beta * C} added once at the end ({@link #transposeInto}),
     * another order than the unswapped path's (deterministic, within the same error bound).
     */
    static void accumulate(float[] tile, float[] ct, int at, int ld, float alpha, boolean first, int mr, int nr) {
        FloatVector alphas = FloatVector.broadcast(F, alpha);
        VectorMask<Float> m0 = F.indexInRange(0, nr);
        VectorMask<Float> m1 = F.indexInRange(L, nr);
        for (int r = 0; r < mr; r++) {
            int row = at + r * ld;
            FloatVector t0 = FloatVector.fromArray(F, tile, r * NR).mul(alphas);
            FloatVector t1 = FloatVector.fromArray(F, tile, r * NR + L).mul(alphas);
            if (!first) {
                t0 = FloatVector.fromArray(F, ct, row, m0).add(t0);
                t1 = FloatVector.fromArray(F, ct, row + L, m1).add(t1);
            }
            t0.intoArray(ct, row, m0);
            t1.intoArray(ct, row + L, m1);
        }
    }

    /**
     * ct (rows, cols) row-major, the product C^T of a slab -> C: element (i, j) of ct goes to byte
     * c0 + j * ldcBytes + i * 4; {@code C = ct + beta * C} (fma), C not read when beta == 0. Each C row
     * segment of up to L floats is one gather from a ct column (index map: lane l -> l * cols, kept in
     * {@code lanes}, filled here) and one masked store.
     */
    static void transposeInto(float[] ct, int rows, int cols, int[] lanes, MemorySegment c, long c0, long ldcBytes,
                              float beta) {
        for (int l = 0; l < L; l++) {
            lanes[l] = l * cols;
        }
        FloatVector betas = FloatVector.broadcast(F, beta);
        for (int j = 0; j < cols; j++) {
            long row = c0 + j * ldcBytes;
            for (int i = 0; i < rows; i += L) {
                VectorMask<Float> valid = F.indexInRange(i, rows);
                FloatVector v = FloatVector.fromArray(F, ct, i * cols + j, lanes, 0, valid);
                long at = row + (long) i * Float.BYTES;
                if (beta != 0f) {
                    v = FloatVector.fromMemorySegment(F, c, at, ORDER, valid).fma(betas, v);
                }
                v.intoMemorySegment(c, at, ORDER, valid);
            }
        }
    }
}
