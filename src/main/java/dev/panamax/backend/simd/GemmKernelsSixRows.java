package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * The 16-register family's packed-panel products with a tile of 6 rows x 2 vectors (MR = 6): 12
 * accumulators + 2 B vectors + 1 broadcast = 15 of AVX2's 16 registers, BLIS's haswell shape. Chosen by
 * {@link GemmBlocking#MR} only where C2 runs without its register-pressure-aware scheduler
 * (-XX:-OptoRegScheduling; or by -Dpanamax.simd.mr=6): with it, C2 issues an iteration's 6 broadcasts before its FMAs, needs 20
 * registers and spills accumulators in the k loop (see {@link GemmKernels16}).
 *
 * <p>Why 6 rows when 4 already keep two FMA pipes of 4 cycles' latency busy: the 4 x 2 tile has exactly
 * the 8 FMAs in flight they need and 20 instructions per 4 cycles, so any late load or scalar instruction
 * costs FMA cycles at once. 6 x 2 runs 12 chains (half again the latency needs) and 26 instructions per 6
 * cycles, and loads B once per 12 FMAs rather than per 8.
 *
 * <p>Each output element is one fma per step, p ascending, from zero, as in every other tile, so the bits
 * of a product do not depend on the tile. Edge tiles are zero-padded panels, as for the other tiles.
 */
final class GemmKernelsSixRows {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private GemmKernelsSixRows() {
    }

    /** 6 x 2 vectors from packed panels (MR = 6 floats of A and NR of B per step): see {@link GemmMicroKernel#multiply}. */
    static void multiply(int kc, float[] ap, int apOff, float[] bp, int bpOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int ai = apOff + p * MR;
            int bi = bpOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ai + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
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
    }

    /** 6 x 2 vectors, B's rows read where they are stored: see {@link GemmSmallKernels#multiplyFromB}. */
    static void multiplyFromB(int kc, float[] ap, int apOff, MemorySegment b, long bOff, long ldbBytes, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        long half = (long) L * Float.BYTES;
        for (int p = 0; p < kc; p++) {
            int ai = apOff + p * MR;
            long bi = bOff + p * ldbBytes;
            FloatVector b0 = FloatVector.fromMemorySegment(F, b, bi, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(F, b, bi + half, ORDER);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ai + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
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
    }

    /**
     * Two panels of 6 rows x 1 vector (12 accumulators + 1 B + 1 broadcast = 14 registers): see
     * {@link GemmSmallKernels#multiplyNarrow}; tile row r holds panel 0 in lanes [0, L), panel 1 in [L, 2L).
     */
    static void multiplyNarrow(int kc, float[] ap, int apOff0, int apOff1, int stepStride, int rowStride, float[] bp,
                               int bpOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int a0 = apOff0 + p * stepStride;
            int a1 = apOff1 + p * stepStride;
            FloatVector b = FloatVector.fromArray(F, bp, bpOff + p * NR);
            c00 = FloatVector.broadcast(F, ap[a0]).fma(b, c00);
            c01 = FloatVector.broadcast(F, ap[a1]).fma(b, c01);
            c10 = FloatVector.broadcast(F, ap[a0 + rowStride]).fma(b, c10);
            c11 = FloatVector.broadcast(F, ap[a1 + rowStride]).fma(b, c11);
            c20 = FloatVector.broadcast(F, ap[a0 + 2 * rowStride]).fma(b, c20);
            c21 = FloatVector.broadcast(F, ap[a1 + 2 * rowStride]).fma(b, c21);
            c30 = FloatVector.broadcast(F, ap[a0 + 3 * rowStride]).fma(b, c30);
            c31 = FloatVector.broadcast(F, ap[a1 + 3 * rowStride]).fma(b, c31);
            c40 = FloatVector.broadcast(F, ap[a0 + 4 * rowStride]).fma(b, c40);
            c41 = FloatVector.broadcast(F, ap[a1 + 4 * rowStride]).fma(b, c41);
            c50 = FloatVector.broadcast(F, ap[a0 + 5 * rowStride]).fma(b, c50);
            c51 = FloatVector.broadcast(F, ap[a1 + 5 * rowStride]).fma(b, c51);
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
    }
}
