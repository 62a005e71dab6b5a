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
 * The GEMM micro-kernel: an MR x NR tile of C from one packed A micro-panel and one packed B
 * micro-panel, by broadcast + FMA into MR x 2 vector accumulators (outer products, no horizontal
 * reductions). The tile is chosen for the register file ({@link GemmBlocking}): written out here for
 * 32 registers, MR = 12 rows x 2 vectors = 24 accumulators + 2 B vectors + 1 broadcast = 27; with 16
 * registers {@link #multiply} hands over to {@link GemmKernels16}'s 4-row tile (or its 6-row one, where C2's
 * register scheduler is off: {@link GemmKernelsSixRows}). Each k step issues
 * 2 MR FMAs for 2 vector loads and MR broadcasts.
 *
 * <p>The product is split in two methods on purpose: {@link #multiply} leaves the accumulators in a
 * tile buffer and {@link #writeBack} applies alpha and beta. One method doing both exceeds C2's
 * inlining budget (NodeCountInliningCutoff), and a vector op that is not inlined is boxed: 20x slower.
 * The tile round trip costs 2 MR stores and 2 MR loads against kc x 2 MR FMAs: 1/kc of the FMAs. The
 * 16-register tile keeps the split too: its 8 accumulators written to C by the kernel itself passed the
 * allocation tests (small shapes, compiled synchronously) and yet ran boxed, two orders of magnitude slower,
 * at some of GemmBench's shapes.
 */
final class GemmMicroKernel {
    private static final VectorSpecies<Float> F = GemmBlocking.F;

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private GemmMicroKernel() {
    }

    /**
     * ap: packed A micro-panel, kc steps of MR floats from apOff; bp: packed B micro-panel, kc steps
     * of NR floats from bpOff -> tile (MR,NR) row-major = the panels' product; rows from mr on (padding of
     * an edge panel) may be left out of the tile.
     */
    static void multiply(int kc, float[] ap, int apOff, float[] bp, int bpOff, float[] tile, int mr) {
        if (GemmBlocking.SIXTEEN_REGISTERS) { // a static final: C2 keeps one branch
            GemmKernels16.multiply(kc, ap, apOff, bp, bpOff, tile, mr);
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
        // no manual unroll: the body already holds 24 independent FMAs, more than the pipes' latency needs
        for (int p = 0; p < kc; p++) {
            // indices affine in p (not separate counters) so C2 can hoist the range checks out of the loop
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
     * tile (MR,NR) -> top-left (mr,nr) of the C tile at byte offset cOff, row stride ldcBytes:
     * {@code C = alpha * tile + beta * C}; C is not read when beta == 0.
     */
    static void writeBack(float[] tile, MemorySegment c, long cOff, long ldcBytes, float alpha, float beta,
                          int mr, int nr) {
        FloatVector alphas = FloatVector.broadcast(F, alpha);
        FloatVector betas = FloatVector.broadcast(F, beta);
        if (mr == MR && nr == NR) {
            // a whole tile (all but the edges): plain vector loads and stores, no masks
            for (int r = 0; r < MR; r++) {
                long row = cOff + r * ldcBytes;
                long row1 = row + (long) L * Float.BYTES;
                FloatVector t0 = FloatVector.fromArray(F, tile, r * NR).mul(alphas);
                FloatVector t1 = FloatVector.fromArray(F, tile, r * NR + L).mul(alphas);
                if (beta != 0f) {
                    t0 = FloatVector.fromMemorySegment(F, c, row, ORDER).fma(betas, t0);
                    t1 = FloatVector.fromMemorySegment(F, c, row1, ORDER).fma(betas, t1);
                }
                t0.intoMemorySegment(c, row, ORDER);
                t1.intoMemorySegment(c, row1, ORDER);
            }
            return;
        }
        // an edge tile: columns in two vectors, masked for the last columns
        VectorMask<Float> m0 = F.indexInRange(0, nr);
        VectorMask<Float> m1 = F.indexInRange(L, nr);
        for (int r = 0; r < mr; r++) {
            long row = cOff + r * ldcBytes;
            long row1 = row + (long) L * Float.BYTES;
            FloatVector t0 = FloatVector.fromArray(F, tile, r * NR).mul(alphas);
            FloatVector t1 = FloatVector.fromArray(F, tile, r * NR + L).mul(alphas);
            if (beta != 0f) {
                t0 = FloatVector.fromMemorySegment(F, c, row, ORDER, m0).fma(betas, t0);
                t1 = FloatVector.fromMemorySegment(F, c, row1, ORDER, m1).fma(betas, t1);
            }
            t0.intoMemorySegment(c, row, ORDER, m0);
            t1.intoMemorySegment(c, row1, ORDER, m1);
        }
    }
}
