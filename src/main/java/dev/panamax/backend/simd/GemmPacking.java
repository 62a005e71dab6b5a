package dev.panamax.backend.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.panamax.backend.simd.GemmMicroKernel.MR;
import static dev.panamax.backend.simd.GemmMicroKernel.NR;

/**
 * Copies blocks of op(A) and op(B) into the micro-kernel's panel layouts, absorbing the transposes
 * (the kernel sees one layout whatever the storage) and padding partial panels with zeros so edge
 * tiles run the same kernel.
 *
 * <p>A block (mc,kc) -> panels of MR rows: row r, step p of panel q at {@code q*MR*kc + p*MR + r}.
 * B block (kc,nc) -> panels of NR columns: step p, column c of panel q at {@code q*NR*kc + p*NR + c}.
 */
final class GemmPacking {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private GemmPacking() {
    }

    /**
     * op(A) rows [i0, i0+mc), columns [p0, p0+kc) -> dst. A is stored (m,k) with row stride lda = k,
     * or (k,m) with lda = m when transA.
     */
    static void packA(MemorySegment a, boolean transA, int lda, int i0, int mc, int p0, int kc, float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < mc; q++, panelStart += MR) {
            int rows = Math.min(MR, mc - panelStart);
            int base = q * MR * kc;
            if (rows < MR) {
                Arrays.fill(dst, base, base + MR * kc, 0f);
            }
            int i = i0 + panelStart;
            if (transA) {
                // op(A) column p is a contiguous run of stored row p0+p: one bulk copy per step
                for (int p = 0; p < kc; p++) {
                    long src = ((long) (p0 + p) * lda + i) * Float.BYTES;
                    MemorySegment.copy(a, FLOAT, src, dst, base + p * MR, rows);
                }
            } else {
                // op(A) row i is contiguous along p: read it in order, write with stride MR
                for (int r = 0; r < rows; r++) {
                    long src = ((long) (i + r) * lda + p0) * Float.BYTES;
                    int at = base + r;
                    for (int p = 0; p < kc; p++, at += MR) {
                        dst[at] = a.get(FLOAT, src + (long) p * Float.BYTES);
                    }
                }
            }
        }
    }

    /**
     * op(B) rows [p0, p0+kc), columns [j0, j0+nc) -> dst. B is stored (k,n) with row stride ldb = n,
     * or (n,k) with ldb = k when transB.
     */
    static void packB(MemorySegment b, boolean transB, int ldb, int p0, int kc, int j0, int nc, float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < nc; q++, panelStart += NR) {
            int cols = Math.min(NR, nc - panelStart);
            int base = q * NR * kc;
            if (cols < NR) {
                Arrays.fill(dst, base, base + NR * kc, 0f);
            }
            int j = j0 + panelStart;
            if (transB) {
                // op(B) column j is stored row j, contiguous along p: read in order, write with stride NR
                for (int c = 0; c < cols; c++) {
                    long src = ((long) (j + c) * ldb + p0) * Float.BYTES;
                    int at = base + c;
                    for (int p = 0; p < kc; p++, at += NR) {
                        dst[at] = b.get(FLOAT, src + (long) p * Float.BYTES);
                    }
                }
            } else {
                // op(B) row p is contiguous: one bulk copy of the panel's columns per step
                for (int p = 0; p < kc; p++) {
                    long src = ((long) (p0 + p) * ldb + j) * Float.BYTES;
                    MemorySegment.copy(b, FLOAT, src, dst, base + p * NR, cols);
                }
            }
        }
    }
}
