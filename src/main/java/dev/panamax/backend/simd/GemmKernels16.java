package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * The GEMM kernels for a file of 16 vector registers (x86 without AVX-512): the same products as
 * {@link GemmMicroKernel} and {@link GemmSmallKernels}, with tiles that fit (A is never read in place with
 * 16 registers: see SimdGemm.IN_PLACE_A).
 *
 * <p>Why 4 rows and at most 8 accumulators: 6 x 2 vectors (12 accumulators + 2 B + 1 broadcast = 15)
 * looks like it fits, and is BLIS's haswell shape in assembly, but with its register-pressure-aware
 * scheduler on (OptoRegScheduling, the default) C2 does not keep it in registers: it spills accumulators
 * in the k loop, and a 6-row (or 5-row) tile runs at half the FMA rate of a 4-row one. With the scheduler
 * off it does, and MR = 6 hands the packed-panel products over to {@link GemmKernelsSixRows} (MR is a
 * static final, so C2 keeps one branch). 8 independent accumulators still cover two
 * FMA pipes of 4 cycles' latency (8 FMAs in flight), with no slack. The loop is not unrolled by hand:
 * C2 schedules an iteration's loads first, so two steps per iteration hoist 8 broadcasts and spill the
 * accumulators (README, "What bounds the AVX2 kernel"). Each output element is one fma per step, p
 * ascending, from zero, so the bits of a product are those of the 32-register family.
 *
 * <p>The callers reach these through the 32-register kernels' methods, which test
 * {@link GemmBlocking#SIXTEEN_REGISTERS} (a static final that C2 folds) and hand over; SimdGemm calls
 * {@link #dotRowsInterleaved} itself, since its B operand is a packed copy the 32-register kernel does not take.
 */
final class GemmKernels16 {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    private GemmKernels16() {
    }

    /**
     * 4 x 2 vectors from packed panels (8 accumulators + 2 B + 1 broadcast = 11 registers): see
     * {@link GemmMicroKernel#multiply}; mr: the panel's rows that are C's (the rest pad an edge panel). A 6-row
     * panel with at most 4 of them (C of 32 rows: 5 panels and one of 2) runs the 4-row tile over its first 4
     * rows, the products of its steps MR floats apart as ever: a third less padding computed.
     */
    static void multiply(int kc, float[] ap, int apOff, float[] bp, int bpOff, float[] tile, int mr) {
        if (MR == 6 && mr > 4) {
            GemmKernelsSixRows.multiply(kc, ap, apOff, bp, bpOff, tile);
            return;
        }
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
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
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /** 4 x 2 vectors, B read in place (11 registers): see {@link GemmSmallKernels#multiplyFromB}. */
    static void multiplyFromB(int kc, float[] ap, int apOff, MemorySegment b, long bOff, long ldbBytes, float[] tile) {
        if (MR == 6) {
            GemmKernelsSixRows.multiplyFromB(kc, ap, apOff, b, bOff, ldbBytes, tile);
            return;
        }
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
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
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * Two panels of 4 rows x 1 vector (8 accumulators + 1 B + 1 broadcast = 10 registers): see
     * {@link GemmSmallKernels#multiplyNarrow}; tile row r holds panel 0 in lanes [0, L), panel 1 in [L, 2L).
     */
    static void multiplyNarrow(int kc, float[] ap, int apOff0, int apOff1, int stepStride, int rowStride, float[] bp,
                               int bpOff, float[] tile) {
        if (MR == 6) {
            GemmKernelsSixRows.multiplyNarrow(kc, ap, apOff0, apOff1, stepStride, rowStride, bp, bpOff, tile);
            return;
        }
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
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
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /** Rows of C per {@link #multiplyShortK} block. */
    static final int SHORT_K_ROWS = 4;
    /** Columns of C per {@link #multiplyShortK} block: 2 vectors. */
    static final int SHORT_K_COLS = 2 * L;

    /**
     * 4 rows x 2 vectors written straight into C (8 accumulators + 2 B + 1 broadcast = 11 registers): see
     * {@link GemmSmallKernels#multiplyShortK}.
     */
    static void multiplyShortK(int k, float[] ap, int apOff, float[] bp, MemorySegment c, long cOff, long ldcBytes,
                               float alpha, float beta, int blocks) {
        long blockBytes = (long) SHORT_K_COLS * Float.BYTES;
        for (int block = 0; block < blocks; block++, cOff += blockBytes) {
            FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
            FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
            FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
            FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
            long vecBytes = (long) L * Float.BYTES;
            for (int p = 0; p < k; p++) {
                int ai = apOff + p;
                int bi = (block * k + p) * SHORT_K_COLS;
                FloatVector b0 = FloatVector.fromArray(F, bp, bi + 0 * L);
                FloatVector b1 = FloatVector.fromArray(F, bp, bi + 1 * L);
                FloatVector a;
                a = FloatVector.broadcast(F, ap[ai + 0 * k]);
                c00 = a.fma(b0, c00);
                c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(F, ap[ai + 1 * k]);
                c10 = a.fma(b0, c10);
                c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(F, ap[ai + 2 * k]);
                c20 = a.fma(b0, c20);
                c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(F, ap[ai + 3 * k]);
                c30 = a.fma(b0, c30);
                c31 = a.fma(b1, c31);
            }
            if (alpha != 1f) { // alpha * x is x exactly when alpha is 1: the same bits without the multiplies
                FloatVector alphas = FloatVector.broadcast(F, alpha);
                c00 = c00.mul(alphas);
                c01 = c01.mul(alphas);
                c10 = c10.mul(alphas);
                c11 = c11.mul(alphas);
                c20 = c20.mul(alphas);
                c21 = c21.mul(alphas);
                c30 = c30.mul(alphas);
                c31 = c31.mul(alphas);
            }
            if (beta != 0f) {
                FloatVector betas = FloatVector.broadcast(F, beta);
                c00 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c00);
                c01 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c01);
                c10 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c10);
                c11 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c11);
                c20 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c20);
                c21 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c21);
                c30 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c30);
                c31 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c31);
            }
            c00.intoMemorySegment(c, cOff + 0 * ldcBytes + 0 * vecBytes, ORDER);
            c01.intoMemorySegment(c, cOff + 0 * ldcBytes + 1 * vecBytes, ORDER);
            c10.intoMemorySegment(c, cOff + 1 * ldcBytes + 0 * vecBytes, ORDER);
            c11.intoMemorySegment(c, cOff + 1 * ldcBytes + 1 * vecBytes, ORDER);
            c20.intoMemorySegment(c, cOff + 2 * ldcBytes + 0 * vecBytes, ORDER);
            c21.intoMemorySegment(c, cOff + 2 * ldcBytes + 1 * vecBytes, ORDER);
            c30.intoMemorySegment(c, cOff + 3 * ldcBytes + 0 * vecBytes, ORDER);
            c31.intoMemorySegment(c, cOff + 3 * ldcBytes + 1 * vecBytes, ORDER);
    
        }
    }

    /** Rows of A per {@link #dotRowsInterleaved} call. */
    static final int DOT_A_ROWS = 2;
    /** Rows of B per {@link #dotRowsInterleaved} call: a 10-class layer's logits are two calls' worth. */
    static final int DOT_B_ROWS = 5;

    /**
     * One vector's bytes, the step of {@link #dotRowsInterleaved}' loop. Deliberately not final: C2 folds a
     * static final into a constant stride and then counts and unrolls the loop (see there). Never written.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static long stepBytes = (long) L * Float.BYTES;

    /**
     * Dot products of 2 rows of A with 5 rows of B as lane-wise partial sums (10 accumulators + 2 A + 1 B = 13
     * registers): the sums of {@link GemmSmallKernels#dotRows}, in its layout, with A rows 0 and 1 only. The 5 B
     * rows come from {@code bp} as {@link GemmPacking#packRowsInterleaved} lays them out: chunk q of the 5 rows
     * is 5 vectors in a row at {@code bpOff + q * 5L}, so one index reaches every B load at a constant offset.
     * Read where they are stored, the 5 B row offsets, the 2 A offsets and the loop's own index outnumber x86's
     * 16 general registers, and C2 reloaded the B offsets from the stack at every step.
     *
     * <p>The loop steps by {@link #stepBytes}, a value C2 cannot fold, so that it does not count the loop:
     * unrolled, as C2 unrolls a counted loop of this trip count, its loads were hoisted and 8 of the 10
     * accumulators spilled to the stack. Uncounted, each load keeps its bounds check, which costs far less
     * than the spills.
     */
    static void dotRowsInterleaved(int k, MemorySegment a, long aOff0, long aOff1, float[] bp, int bpOff,
                                   float[] sums) {
        FloatVector d00 = FloatVector.zero(F), d01 = FloatVector.zero(F), d02 = FloatVector.zero(F);
        FloatVector d03 = FloatVector.zero(F), d04 = FloatVector.zero(F);
        FloatVector d10 = FloatVector.zero(F), d11 = FloatVector.zero(F), d12 = FloatVector.zero(F);
        FloatVector d13 = FloatVector.zero(F), d14 = FloatVector.zero(F);
        FloatVector bj;
        long end = (long) k * Float.BYTES;
        long step = stepBytes;
        int bi = bpOff;
        for (long at = 0; at < end; at += step, bi += DOT_B_ROWS * L) {
            FloatVector a0 = FloatVector.fromMemorySegment(F, a, aOff0 + at, ORDER);
            FloatVector a1 = FloatVector.fromMemorySegment(F, a, aOff1 + at, ORDER);
            bj = FloatVector.fromArray(F, bp, bi);
            d00 = a0.fma(bj, d00);
            d10 = a1.fma(bj, d10);
            bj = FloatVector.fromArray(F, bp, bi + L);
            d01 = a0.fma(bj, d01);
            d11 = a1.fma(bj, d11);
            bj = FloatVector.fromArray(F, bp, bi + 2 * L);
            d02 = a0.fma(bj, d02);
            d12 = a1.fma(bj, d12);
            bj = FloatVector.fromArray(F, bp, bi + 3 * L);
            d03 = a0.fma(bj, d03);
            d13 = a1.fma(bj, d13);
            bj = FloatVector.fromArray(F, bp, bi + 4 * L);
            d04 = a0.fma(bj, d04);
            d14 = a1.fma(bj, d14);
        }
        d00.intoArray(sums, (0 * DOT_B_ROWS + 0) * L);
        d01.intoArray(sums, (0 * DOT_B_ROWS + 1) * L);
        d02.intoArray(sums, (0 * DOT_B_ROWS + 2) * L);
        d03.intoArray(sums, (0 * DOT_B_ROWS + 3) * L);
        d04.intoArray(sums, (0 * DOT_B_ROWS + 4) * L);
        d10.intoArray(sums, (1 * DOT_B_ROWS + 0) * L);
        d11.intoArray(sums, (1 * DOT_B_ROWS + 1) * L);
        d12.intoArray(sums, (1 * DOT_B_ROWS + 2) * L);
        d13.intoArray(sums, (1 * DOT_B_ROWS + 3) * L);
        d14.intoArray(sums, (1 * DOT_B_ROWS + 4) * L);
    }
}
