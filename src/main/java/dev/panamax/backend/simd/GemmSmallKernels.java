package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * Micro-kernels for GEMMs with a small dimension, where {@link GemmMicroKernel}'s MR x NR tile over
 * packed panels wastes most of its work on padding or packing. Written out here for 32 registers
 * (MR = 12); with 16, each hands over to its {@link GemmKernels16} counterpart.
 * <ul>
 * <li>{@link #multiplyFromB}: the MR x NR tile reading B's rows straight from storage (B stored (k,n)),
 *     for few rows of C (each B panel then serves one or two tiles, so copying it into a pack costs
 *     about as much as the product) or a short k (the dh GEMM of an MLP, k = 10 classes).</li>
 * <li>{@link #multiplyNarrow}: 2 MR rows x one vector, for C at most one vector wide (the logits GEMM,
 *     n = 10): one B vector per step instead of two, and two A panels at once so 2 MR independent FMA
 *     chains still cover the pipes' latency.</li>
 * </ul>
 * Both add the products of every element in the same order as {@link GemmMicroKernel#multiply}
 * (one fma per step, p ascending, from zero), so a GEMM gives the same bits whichever kernel ran a tile.
 */
final class GemmSmallKernels {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private GemmSmallKernels() {
    }

    /**
     * ap: packed A micro-panel, kc steps of MR floats from apOff; b: B stored (k,n), the 32 columns of
     * step p at byte offset bOff + p * ldbBytes -> tile (MR,NR) row-major = the product.
     */
    static void multiplyFromB(int kc, float[] ap, int apOff, MemorySegment b, long bOff, long ldbBytes, float[] tile) {
        if (GemmBlocking.SIXTEEN_REGISTERS) {
            GemmKernels16.multiplyFromB(kc, ap, apOff, b, bOff, ldbBytes, tile);
            return;
        }
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
            a = FloatVector.broadcast(F, ap[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, ap[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(F, ap[ai + 8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(F, ap[ai + 9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(F, ap[ai + 10]);
            c100 = a.fma(b0, c100);
            c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(F, ap[ai + 11]);
            c110 = a.fma(b0, c110);
            c111 = a.fma(b1, c111);
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
     * Two panels of MR rows of A -> a 2 MR x L tile: tile row r holds row r of panel 0's product in lanes
     * [0, L) and of panel 1's in lanes [L, 2L). Element (row r, step p) of panel q is
     * {@code ap[apOffq + p * stepStride + r * rowStride]}: stepStride = MR, rowStride = 1 for panels packed
     * by {@link GemmPacking#packA}; stepStride = 1, rowStride = kc for rows copied as they are by
     * {@link GemmPacking#copyRows} (pass the same offset twice when there is only one panel). bp: a packed
     * B micro-panel, kc steps of NR floats from bpOff, of which the first L are used. One kernel serves
     * both layouts with the same fmas in the same order, so the bits do not depend on the layout.
     */
    static void multiplyNarrow(int kc, float[] ap, int apOff0, int apOff1, int stepStride, int rowStride, float[] bp,
                               int bpOff, float[] tile) {
        if (GemmBlocking.SIXTEEN_REGISTERS) {
            GemmKernels16.multiplyNarrow(kc, ap, apOff0, apOff1, stepStride, rowStride, bp, bpOff, tile);
            return;
        }
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
            c60 = FloatVector.broadcast(F, ap[a0 + 6 * rowStride]).fma(b, c60);
            c61 = FloatVector.broadcast(F, ap[a1 + 6 * rowStride]).fma(b, c61);
            c70 = FloatVector.broadcast(F, ap[a0 + 7 * rowStride]).fma(b, c70);
            c71 = FloatVector.broadcast(F, ap[a1 + 7 * rowStride]).fma(b, c71);
            c80 = FloatVector.broadcast(F, ap[a0 + 8 * rowStride]).fma(b, c80);
            c81 = FloatVector.broadcast(F, ap[a1 + 8 * rowStride]).fma(b, c81);
            c90 = FloatVector.broadcast(F, ap[a0 + 9 * rowStride]).fma(b, c90);
            c91 = FloatVector.broadcast(F, ap[a1 + 9 * rowStride]).fma(b, c91);
            c100 = FloatVector.broadcast(F, ap[a0 + 10 * rowStride]).fma(b, c100);
            c101 = FloatVector.broadcast(F, ap[a1 + 10 * rowStride]).fma(b, c101);
            c110 = FloatVector.broadcast(F, ap[a0 + 11 * rowStride]).fma(b, c110);
            c111 = FloatVector.broadcast(F, ap[a1 + 11 * rowStride]).fma(b, c111);
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

    /** Rows of C per {@link #multiplyShortK} block (16 accumulators + 4 B + 1 = 21 registers; 4 x 2 vectors with 16). */
    static final int SHORT_K_ROWS = GemmBlocking.SIXTEEN_REGISTERS ? GemmKernels16.SHORT_K_ROWS : 4;
    /** Columns of C per {@link #multiplyShortK} block: 4 vectors (2 with 16 registers). */
    static final int SHORT_K_COLS = GemmBlocking.SIXTEEN_REGISTERS ? GemmKernels16.SHORT_K_COLS : 4 * L;

    /**
     * A short-k product written straight into C (k <= SimdGemm.SHORT_K: the input gradient of a 10-class layer), where
     * a packed tile's round trip through memory costs as much as its k FMAs per vector.
     * ap: A's rows copied as they are, row r of the block from apOff + r * k; bp: the strip's columns of B
     * as {@link GemmPacking#packColumnBlocks} lays them out in blocks of SHORT_K_COLS -> the
     * (SHORT_K_ROWS,SHORT_K_COLS) blocks of C from byte offset cOff, row stride ldcBytes: {@code C = alpha * A B + beta * C}, C not read
     * when beta == 0; {@code blocks} such blocks side by side (one call per strip of rows, so that the call
     * and its checks are paid once per strip, not per block). Same arithmetic in the same order as
     * {@link #multiplyFromB} + writeBack, so the bits do not depend on which of them ran.
     */
    static void multiplyShortK(int k, float[] ap, int apOff, float[] bp, MemorySegment c, long cOff, long ldcBytes,
                               float alpha, float beta, int blocks) {
        if (GemmBlocking.SIXTEEN_REGISTERS) {
            GemmKernels16.multiplyShortK(k, ap, apOff, bp, c, cOff, ldcBytes, alpha, beta, blocks);
            return;
        }
        long blockBytes = (long) SHORT_K_COLS * Float.BYTES;
        for (int block = 0; block < blocks; block++, cOff += blockBytes) {
            FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F), c03 = FloatVector.zero(F);
            FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F), c13 = FloatVector.zero(F);
            FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F), c23 = FloatVector.zero(F);
            FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c32 = FloatVector.zero(F), c33 = FloatVector.zero(F);
            long vecBytes = (long) L * Float.BYTES;
            for (int p = 0; p < k; p++) {
                int ai = apOff + p;
                int bi = (block * k + p) * SHORT_K_COLS;
                FloatVector b0 = FloatVector.fromArray(F, bp, bi + 0 * L);
                FloatVector b1 = FloatVector.fromArray(F, bp, bi + 1 * L);
                FloatVector b2 = FloatVector.fromArray(F, bp, bi + 2 * L);
                FloatVector b3 = FloatVector.fromArray(F, bp, bi + 3 * L);
                FloatVector a;
                a = FloatVector.broadcast(F, ap[ai + 0 * k]);
                c00 = a.fma(b0, c00);
                c01 = a.fma(b1, c01);
                c02 = a.fma(b2, c02);
                c03 = a.fma(b3, c03);
                a = FloatVector.broadcast(F, ap[ai + 1 * k]);
                c10 = a.fma(b0, c10);
                c11 = a.fma(b1, c11);
                c12 = a.fma(b2, c12);
                c13 = a.fma(b3, c13);
                a = FloatVector.broadcast(F, ap[ai + 2 * k]);
                c20 = a.fma(b0, c20);
                c21 = a.fma(b1, c21);
                c22 = a.fma(b2, c22);
                c23 = a.fma(b3, c23);
                a = FloatVector.broadcast(F, ap[ai + 3 * k]);
                c30 = a.fma(b0, c30);
                c31 = a.fma(b1, c31);
                c32 = a.fma(b2, c32);
                c33 = a.fma(b3, c33);
            }
            if (alpha != 1f) { // alpha * x is x exactly when alpha is 1: the same bits without 16 multiplies
                FloatVector alphas = FloatVector.broadcast(F, alpha);
                c00 = c00.mul(alphas);
                c01 = c01.mul(alphas);
                c02 = c02.mul(alphas);
                c03 = c03.mul(alphas);
                c10 = c10.mul(alphas);
                c11 = c11.mul(alphas);
                c12 = c12.mul(alphas);
                c13 = c13.mul(alphas);
                c20 = c20.mul(alphas);
                c21 = c21.mul(alphas);
                c22 = c22.mul(alphas);
                c23 = c23.mul(alphas);
                c30 = c30.mul(alphas);
                c31 = c31.mul(alphas);
                c32 = c32.mul(alphas);
                c33 = c33.mul(alphas);
            }
            if (beta != 0f) {
                FloatVector betas = FloatVector.broadcast(F, beta);
                c00 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c00);
                c01 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c01);
                c02 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 2 * vecBytes, ORDER).fma(betas, c02);
                c03 = FloatVector.fromMemorySegment(F, c, cOff + 0 * ldcBytes + 3 * vecBytes, ORDER).fma(betas, c03);
                c10 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c10);
                c11 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c11);
                c12 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 2 * vecBytes, ORDER).fma(betas, c12);
                c13 = FloatVector.fromMemorySegment(F, c, cOff + 1 * ldcBytes + 3 * vecBytes, ORDER).fma(betas, c13);
                c20 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c20);
                c21 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c21);
                c22 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 2 * vecBytes, ORDER).fma(betas, c22);
                c23 = FloatVector.fromMemorySegment(F, c, cOff + 2 * ldcBytes + 3 * vecBytes, ORDER).fma(betas, c23);
                c30 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 0 * vecBytes, ORDER).fma(betas, c30);
                c31 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 1 * vecBytes, ORDER).fma(betas, c31);
                c32 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 2 * vecBytes, ORDER).fma(betas, c32);
                c33 = FloatVector.fromMemorySegment(F, c, cOff + 3 * ldcBytes + 3 * vecBytes, ORDER).fma(betas, c33);
            }
            c00.intoMemorySegment(c, cOff + 0 * ldcBytes + 0 * vecBytes, ORDER);
            c01.intoMemorySegment(c, cOff + 0 * ldcBytes + 1 * vecBytes, ORDER);
            c02.intoMemorySegment(c, cOff + 0 * ldcBytes + 2 * vecBytes, ORDER);
            c03.intoMemorySegment(c, cOff + 0 * ldcBytes + 3 * vecBytes, ORDER);
            c10.intoMemorySegment(c, cOff + 1 * ldcBytes + 0 * vecBytes, ORDER);
            c11.intoMemorySegment(c, cOff + 1 * ldcBytes + 1 * vecBytes, ORDER);
            c12.intoMemorySegment(c, cOff + 1 * ldcBytes + 2 * vecBytes, ORDER);
            c13.intoMemorySegment(c, cOff + 1 * ldcBytes + 3 * vecBytes, ORDER);
            c20.intoMemorySegment(c, cOff + 2 * ldcBytes + 0 * vecBytes, ORDER);
            c21.intoMemorySegment(c, cOff + 2 * ldcBytes + 1 * vecBytes, ORDER);
            c22.intoMemorySegment(c, cOff + 2 * ldcBytes + 2 * vecBytes, ORDER);
            c23.intoMemorySegment(c, cOff + 2 * ldcBytes + 3 * vecBytes, ORDER);
            c30.intoMemorySegment(c, cOff + 3 * ldcBytes + 0 * vecBytes, ORDER);
            c31.intoMemorySegment(c, cOff + 3 * ldcBytes + 1 * vecBytes, ORDER);
            c32.intoMemorySegment(c, cOff + 3 * ldcBytes + 2 * vecBytes, ORDER);
            c33.intoMemorySegment(c, cOff + 3 * ldcBytes + 3 * vecBytes, ORDER);
    
        }
    }

    /** Rows of C per {@link #multiplyFiveRows} call: 5 x 4 vectors = 20 accumulators + 4 B + 1 = 25 registers. */
    static final int FIVE_ROWS = 5;
    /** Columns of C per {@link #multiplyFiveRows} block: 4 vectors. */
    static final int FIVE_ROWS_COLS = 4 * L;

    /**
     * Five rows of C of 4 vectors each, for C of 5 or 10 rows (the weight gradient of a 10-class layer, dW =
     * dY^T H), where the MR = 12 row tile computes 2 rows of padding for every 10 and the waste shows.
     * ap: an A panel packed as {@link GemmPacking#packA} lays it out (step p of row r at p * MR + r), rows r0
     * to r0 + 4; b: B stored (k,n), the block's 4 vectors of step p at byte offset bOff + p * ldbBytes ->
     * tile (5, FIVE_ROWS_COLS) row-major = the product, for {@link #writeBackFiveRows}. The sums are those of
     * {@link #multiplyFromB} (one fma per step, p ascending, from zero), so the bits are the same. The
     * accumulators go through the tile, as in multiplyFromB, rather than into C with alpha and beta here:
     * a method that long fails C1's register allocation and then never reaches C2.
     * Written for 32 registers only (with 16 the 12-row tile is not used: GemmKernels16 has 4 x 2).
     */
    static void multiplyFiveRows(int kc, float[] ap, int r0, MemorySegment b, long bOff, long ldbBytes, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F), c03 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F), c13 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F), c23 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c32 = FloatVector.zero(F), c33 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F), c42 = FloatVector.zero(F), c43 = FloatVector.zero(F);
        long vecBytes = (long) L * Float.BYTES;
        for (int p = 0; p < kc; p++) {
            int ai = p * MR + r0;
            long bi = bOff + p * ldbBytes;
            FloatVector b0 = FloatVector.fromMemorySegment(F, b, bi, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(F, b, bi + vecBytes, ORDER);
            FloatVector b2 = FloatVector.fromMemorySegment(F, b, bi + 2 * vecBytes, ORDER);
            FloatVector b3 = FloatVector.fromMemorySegment(F, b, bi + 3 * vecBytes, ORDER);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            c03 = a.fma(b3, c03);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            c13 = a.fma(b3, c13);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            c23 = a.fma(b3, c23);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            c33 = a.fma(b3, c33);
            a = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            c42 = a.fma(b2, c42);
            c43 = a.fma(b3, c43);
        }
        c00.intoArray(tile, 0 * FIVE_ROWS_COLS + 0 * L);
        c01.intoArray(tile, 0 * FIVE_ROWS_COLS + 1 * L);
        c02.intoArray(tile, 0 * FIVE_ROWS_COLS + 2 * L);
        c03.intoArray(tile, 0 * FIVE_ROWS_COLS + 3 * L);
        c10.intoArray(tile, 1 * FIVE_ROWS_COLS + 0 * L);
        c11.intoArray(tile, 1 * FIVE_ROWS_COLS + 1 * L);
        c12.intoArray(tile, 1 * FIVE_ROWS_COLS + 2 * L);
        c13.intoArray(tile, 1 * FIVE_ROWS_COLS + 3 * L);
        c20.intoArray(tile, 2 * FIVE_ROWS_COLS + 0 * L);
        c21.intoArray(tile, 2 * FIVE_ROWS_COLS + 1 * L);
        c22.intoArray(tile, 2 * FIVE_ROWS_COLS + 2 * L);
        c23.intoArray(tile, 2 * FIVE_ROWS_COLS + 3 * L);
        c30.intoArray(tile, 3 * FIVE_ROWS_COLS + 0 * L);
        c31.intoArray(tile, 3 * FIVE_ROWS_COLS + 1 * L);
        c32.intoArray(tile, 3 * FIVE_ROWS_COLS + 2 * L);
        c33.intoArray(tile, 3 * FIVE_ROWS_COLS + 3 * L);
        c40.intoArray(tile, 4 * FIVE_ROWS_COLS + 0 * L);
        c41.intoArray(tile, 4 * FIVE_ROWS_COLS + 1 * L);
        c42.intoArray(tile, 4 * FIVE_ROWS_COLS + 2 * L);
        c43.intoArray(tile, 4 * FIVE_ROWS_COLS + 3 * L);
    }

    /**
     * The tile of {@link #multiplyFiveRows} (5 rows of FIVE_ROWS_COLS sums, row-major) into C at byte offset cOff:
     * {@code alpha * sum}, then {@code fma(C, beta, that)} unless beta is 0 (writeBack's rounding).
     */
    static void writeBackFiveRows(float[] tile, MemorySegment c, long cOff, long ldcBytes, float alpha, float beta) {
        FloatVector alphas = FloatVector.broadcast(F, alpha);
        FloatVector betas = FloatVector.broadcast(F, beta);
        long vecBytes = (long) L * Float.BYTES;
        for (int r = 0; r < FIVE_ROWS; r++) {
            long row = cOff + r * ldcBytes;
            for (int q = 0; q < 4; q++) {
                FloatVector t = FloatVector.fromArray(F, tile, r * FIVE_ROWS_COLS + q * L).mul(alphas);
                if (beta != 0f) {
                    t = FloatVector.fromMemorySegment(F, c, row + q * vecBytes, ORDER).fma(betas, t);
                }
                t.intoMemorySegment(c, row + q * vecBytes, ORDER);
            }
        }
    }

    /**
     * Rows of A per dot-product call, SimdGemm.dotProducts' row step: 4 per {@link #dotRows} call (20 accumulators
     * + 4 A + 1 B = 25 registers), 2 per {@link GemmKernels16#dotRowsInterleaved} call with 16 registers.
     */
    static final int DOT_A_ROWS = GemmBlocking.SIXTEEN_REGISTERS ? GemmKernels16.DOT_A_ROWS : 4;
    /** Rows of B per dot-product call (the same with 16 registers). */
    static final int DOT_B_ROWS = GemmBlocking.SIXTEEN_REGISTERS ? GemmKernels16.DOT_B_ROWS : 5;

    /**
     * Dot products of rows of A with rows of B, both stored along k (op(B) transposed: the logits GEMM
     * {@code x w^T} with few outputs), kept as L lane-wise partial sums: A row r at byte offset aOffr,
     * B row j at bOffj (offsets may repeat: their sums are then computed twice), k a multiple of L ->
     * sums[(r * DOT_B_ROWS + j) * L + l] = sum over chunks q ascending of A[r][qL+l] * B[j][qL+l] (one fma
     * each, from zero). The caller adds each output's L lanes in a fixed order ({@link LaneTree}). With 16
     * registers the caller takes {@link GemmKernels16#dotRowsInterleaved} instead, 2 A rows at a time.
     */
    static void dotRows(int k, MemorySegment a, long aOff0, long aOff1, long aOff2, long aOff3, MemorySegment b, long bOff0, long bOff1, long bOff2, long bOff3, long bOff4, float[] sums) {
        FloatVector d00 = FloatVector.zero(F), d01 = FloatVector.zero(F), d02 = FloatVector.zero(F), d03 = FloatVector.zero(F), d04 = FloatVector.zero(F);
        FloatVector d10 = FloatVector.zero(F), d11 = FloatVector.zero(F), d12 = FloatVector.zero(F), d13 = FloatVector.zero(F), d14 = FloatVector.zero(F);
        FloatVector d20 = FloatVector.zero(F), d21 = FloatVector.zero(F), d22 = FloatVector.zero(F), d23 = FloatVector.zero(F), d24 = FloatVector.zero(F);
        FloatVector d30 = FloatVector.zero(F), d31 = FloatVector.zero(F), d32 = FloatVector.zero(F), d33 = FloatVector.zero(F), d34 = FloatVector.zero(F);
        FloatVector bj;
        for (int p = 0; p < k; p += L) {
            long at = (long) p * Float.BYTES;
            FloatVector a0 = FloatVector.fromMemorySegment(F, a, aOff0 + at, ORDER);
            FloatVector a1 = FloatVector.fromMemorySegment(F, a, aOff1 + at, ORDER);
            FloatVector a2 = FloatVector.fromMemorySegment(F, a, aOff2 + at, ORDER);
            FloatVector a3 = FloatVector.fromMemorySegment(F, a, aOff3 + at, ORDER);
            bj = FloatVector.fromMemorySegment(F, b, bOff0 + at, ORDER);
            d00 = a0.fma(bj, d00);
            d10 = a1.fma(bj, d10);
            d20 = a2.fma(bj, d20);
            d30 = a3.fma(bj, d30);
            bj = FloatVector.fromMemorySegment(F, b, bOff1 + at, ORDER);
            d01 = a0.fma(bj, d01);
            d11 = a1.fma(bj, d11);
            d21 = a2.fma(bj, d21);
            d31 = a3.fma(bj, d31);
            bj = FloatVector.fromMemorySegment(F, b, bOff2 + at, ORDER);
            d02 = a0.fma(bj, d02);
            d12 = a1.fma(bj, d12);
            d22 = a2.fma(bj, d22);
            d32 = a3.fma(bj, d32);
            bj = FloatVector.fromMemorySegment(F, b, bOff3 + at, ORDER);
            d03 = a0.fma(bj, d03);
            d13 = a1.fma(bj, d13);
            d23 = a2.fma(bj, d23);
            d33 = a3.fma(bj, d33);
            bj = FloatVector.fromMemorySegment(F, b, bOff4 + at, ORDER);
            d04 = a0.fma(bj, d04);
            d14 = a1.fma(bj, d14);
            d24 = a2.fma(bj, d24);
            d34 = a3.fma(bj, d34);
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
        d20.intoArray(sums, (2 * DOT_B_ROWS + 0) * L);
        d21.intoArray(sums, (2 * DOT_B_ROWS + 1) * L);
        d22.intoArray(sums, (2 * DOT_B_ROWS + 2) * L);
        d23.intoArray(sums, (2 * DOT_B_ROWS + 3) * L);
        d24.intoArray(sums, (2 * DOT_B_ROWS + 4) * L);
        d30.intoArray(sums, (3 * DOT_B_ROWS + 0) * L);
        d31.intoArray(sums, (3 * DOT_B_ROWS + 1) * L);
        d32.intoArray(sums, (3 * DOT_B_ROWS + 2) * L);
        d33.intoArray(sums, (3 * DOT_B_ROWS + 3) * L);
        d34.intoArray(sums, (3 * DOT_B_ROWS + 4) * L);
    }

    /**
     * One panel's half of a {@link #multiplyNarrow} tile (panel 0 or 1) -> the top-left (mr,nr), nr <= L,
     * of the C tile at byte offset cOff, row stride ldcBytes: {@code C = alpha * tile + beta * C}, the
     * same arithmetic as {@link GemmMicroKernel#writeBack}; C is not read when beta == 0.
     */
    static void writeBackNarrow(float[] tile, int panel, MemorySegment c, long cOff, long ldcBytes, float alpha,
                                float beta, int mr, int nr) {
        FloatVector alphas = FloatVector.broadcast(F, alpha);
        FloatVector betas = FloatVector.broadcast(F, beta);
        VectorMask<Float> columns = F.indexInRange(0, nr);
        for (int r = 0; r < mr; r++) {
            long row = cOff + r * ldcBytes;
            FloatVector t = FloatVector.fromArray(F, tile, r * NR + panel * L).mul(alphas);
            if (beta != 0f) {
                t = FloatVector.fromMemorySegment(F, c, row, ORDER, columns).fma(betas, t);
            }
            t.intoMemorySegment(c, row, ORDER, columns);
        }
    }
}
