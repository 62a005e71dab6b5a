package dev.panamax.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * Copies blocks of op(A) and op(B) into the micro-kernel's panel layouts, absorbing the transposes
 * (the kernel sees one layout whatever the storage) and padding partial panels with zeros so edge
 * tiles run the same kernel.
 *
 * <p>A block (mc,kc) -> panels of MR rows: row r, step p of panel q at {@code q*MR*kc + p*MR + r}.
 * B block (kc,nc) -> panels of NR columns: step p, column c of panel q at {@code q*NR*kc + p*NR + c}.
 *
 * <p>Where the panel layout runs across the storage (A stored (m,k), B stored (n,k)), packing is a
 * transpose in registers: 4 x 4 blocks of 128 bits ({@link #transposeQuarter}) for B at 8 lanes and for A
 * panels of 4 or 6 rows at 8 or 16 lanes and of 12 rows at 8 (QUARTER_TRANSPOSES); otherwise L stored rows x
 * L steps loaded as L vectors ({@link #transposeBlock}: 16 x 16 at 512 bits, the same 4 x 4 at 128), a panel
 * of 12 rows in groups of L rows. Element-by-element copies cost about a fifth of the batch-128 forward GEMM
 * (128x256x784, B transposed); the in-register transposes take 1.2x (A) to 1.4x (B) less time. A stored
 * (k,m) is copied along its rows, 6-row panels with overlapping whole stores (OVERLAPPING_STEPS).
 * Where the layout runs along the storage, whole vectors are copied (MemorySegment.copy of 12 or 32
 * floats spent most of its time in per-call checks).
 */
final class GemmPacking {
    private static final VectorSpecies<Float> F = GemmBlocking.F;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    /** In-register transposes exist for 16, 8 and 4 lanes; other widths (64-bit vectors) pack element by element. */
    private static final boolean TRANSPOSES = L == 16 || L == 8 || L == 4;
    /** Floats of scratch a transpose needs: one L x L block. */
    static final int TRANSPOSE_SCRATCH = L * L;
    /** Groups of L rows in an A panel (MR = 12 with 8 lanes: 2, the second of 4 rows). */
    private static final int A_GROUPS = (MR + L - 1) / L;
    /**
     * The first r lanes, for every r up to max(MR, L), made once: a mask built per call and merged
     * with another in one variable escapes C2's analysis and is allocated on every call.
     */
    private static final VectorMask<Float>[] FIRST_LANES = firstLanes();
    /** Every lane, made once, for the 16 x 16 transpose's stores where the caller passes no mask. */
    private static final VectorMask<Float> ALL_LANES = F.maskAll(true);
    /**
     * 4- and 6-row A panels (the 16-register family) are transposed 4 x 4 with 128-bit vectors at 8 and 16 lanes:
     * each transposed column is then 4 rows of one panel step, stored whole. With L-lane transposes part of each
     * store would be masked off, and a masked store (vmaskmovps) is slow on AVX2; 8 x 8 transposes with
     * overlapping whole stores took 2.5x as long as the 4 x 4 ones for a 6-row A (both measured at AVX2: the
     * 8-lane permutes cross the 128-bit halves, the 4-lane ones do not). A 6-row panel is two of them per 4 steps:
     * rows 4-5 (the transpose's last 2 lanes, copies of row 5, land on the next step's rows 0-1), then rows 0-3,
     * which overwrite them; the last steps of a panel are copied one by one, so nothing lands past it. 12-row
     * panels at 8 lanes (32 registers, 256-bit) are three of them per 4 steps (76 -> 34 us for a 252 x 784 A).
     */
    private static final boolean QUARTER_TRANSPOSES = (MR == 4 || MR == 6) && L > 4 || MR == 12 && L == 8;
    /** B panels at 8 lanes are transposed 4 x 4 too (4 columns x 4 steps each): 2x faster than 8 x 8 at AVX2. */
    private static final boolean QUARTER_B_TRANSPOSES = L == 8;
    /**
     * 6-row A panels stored along op(A)'s columns (A transposed) at 8 lanes: each step's 8 lanes are stored whole,
     * the 2 past the panel's rows landing on the next step's first 2, which that step's store then overwrites
     * (steps are stored in ascending order); only a panel's last step is stored under a mask, so nothing lands
     * past the panel. A masked store (vmaskmovps) is slow on AVX2.
     */
    private static final boolean OVERLAPPING_STEPS = MR == 6 && L == 8;
    /*
     * The 4 x 4 transposes build each block swap from one single-source permute and one blend (lane l: (l & b) == 0
     * from the first row, else from the second), not from a two-source selectFrom: without AVX-512 the JIT has no
     * two-table permute and the two-source form is not compiled to vector code at all, while vpermilps and vblendps
     * exist on every AVX machine (and tbl/bsl on NEON), and stay within 128 bits. UP_b moves lane l - b to lane l,
     * DOWN_b lane l + b to lane l; SECOND_b marks the lanes with (l & b) != 0.
     */
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorShuffle<Float> UP2_4 = VectorShuffle.fromOp(F4, l -> Math.floorMod(l - 2, 4));
    private static final VectorShuffle<Float> DOWN2_4 = VectorShuffle.fromOp(F4, l -> Math.floorMod(l + 2, 4));
    private static final VectorShuffle<Float> UP1_4 = VectorShuffle.fromOp(F4, l -> Math.floorMod(l - 1, 4));
    private static final VectorShuffle<Float> DOWN1_4 = VectorShuffle.fromOp(F4, l -> Math.floorMod(l + 1, 4));
    private static final VectorMask<Float> SECOND2_4 = VectorMask.fromLong(F4, 0b1100);
    private static final VectorMask<Float> SECOND1_4 = VectorMask.fromLong(F4, 0b1010);

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] firstLanes() {
        VectorMask<Float>[] masks = new VectorMask[Math.max(MR, L) + 1];
        for (int r = 0; r < masks.length; r++) {
            masks[r] = F.indexInRange(0, r);
        }
        return masks;
    }
    /**
     * Two-source lane selections for the 4 stages of a 16x16 transpose, block size b = 8, 4, 2, 1:
     * LOW_b takes the low half of each 2b-lane group from the first row and the matching low lanes
     * of the second row (shifted up by b); HIGH_b the high halves likewise. Indices 16.. pick from
     * the second vector (selectFrom).
     */
    private static final FloatVector LOW8 = L > 8 ? blockSwapIndices(8, false) : null;
    private static final FloatVector HIGH8 = L > 8 ? blockSwapIndices(8, true) : null;
    private static final FloatVector LOW4 = L > 8 ? blockSwapIndices(4, false) : null;
    private static final FloatVector HIGH4 = L > 8 ? blockSwapIndices(4, true) : null;
    private static final FloatVector LOW2 = L > 8 ? blockSwapIndices(2, false) : null;
    private static final FloatVector HIGH2 = L > 8 ? blockSwapIndices(2, true) : null;
    private static final FloatVector LOW1 = L > 8 ? blockSwapIndices(1, false) : null;
    private static final FloatVector HIGH1 = L > 8 ? blockSwapIndices(1, true) : null;

    private GemmPacking() {
    }

    /**
     * A (.,lda) row-major, rows [i0, i0+rows), columns [p0, p0+kc) -> dst row r at r * kc: a plain copy,
     * no transpose (for kernels that read A's rows in order).
     */
    static void copyRows(MemorySegment a, int lda, int i0, int rows, int p0, int kc, float[] dst) {
        if (lda == kc) { // whole rows that follow one another (a short k): one copy, not one per row
            MemorySegment.copy(a, FLOAT, (long) i0 * lda * Float.BYTES, dst, 0, rows * kc);
            return;
        }
        // bulk copies rather than a vector loop with a scalar tail: compiled for the row lengths seen first,
        // that loop trapped back into C1 code, which boxes vectors, each time another length came
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(a, FLOAT, ((long) (i0 + r) * lda + p0) * Float.BYTES, dst, r * kc, kc);
        }
    }

    /**
     * B (k,.) row-major, rows ldb floats apart, columns [j0, j0+cols) in blocks of blockCols (a multiple of
     * L, cols a multiple of blockCols) -> dst: block q's step p at (q * k + p) * blockCols. A kernel then
     * steps through a block at a constant stride, whose bounds C2 checks once per loop rather than at
     * every load, as it must for B read in place at a stride known only at run time.
     */
    static void packColumnBlocks(MemorySegment b, int ldb, int k, int j0, int cols, int blockCols, float[] dst) {
        for (int q = 0, j = j0; j < j0 + cols; q++, j += blockCols) {
            for (int p = 0; p < k; p++) {
                long src = ((long) p * ldb + j) * Float.BYTES;
                int to = (q * k + p) * blockCols;
                for (int x = 0; x < blockCols; x += L) {
                    FloatVector.fromMemorySegment(F, b, src + (long) x * Float.BYTES, ORDER).intoArray(dst, to + x);
                }
            }
        }
    }

    /**
     * B stored (n,k), rows ldb floats apart, k a multiple of L: rows [j0, j0+cols) in groups of {@code group},
     * the last group filled up with copies of row j0+cols-1 -> dst: group g's chunk q (floats [qL, qL+L) of
     * each row) as {@code group} vectors in a row, row r's at ((g * k/L + q) * group + r) * L. A dot kernel
     * then reads a group's rows from one index at constant offsets. Copied float by float: a vector copy here,
     * inlined into its caller, kept one boxed vector per chunk (KernelAllocationTest caught it at AVX2), and
     * the copy is a small fraction of the products that read it (k floats a row against k FMAs a row per A row).
     */
    static void packRowsInterleaved(MemorySegment b, int ldb, int k, int j0, int cols, int group, float[] dst) {
        int chunks = k / L;
        int last = j0 + cols - 1;
        for (int g = 0; g * group < cols; g++) {
            for (int r = 0; r < group; r++) {
                long row = (long) Math.min(j0 + g * group + r, last) * ldb * Float.BYTES;
                int to = (g * chunks * group + r) * L;
                for (int q = 0; q < chunks; q++, to += group * L) {
                    long from = row + (long) q * L * Float.BYTES;
                    for (int l = 0; l < L; l++) {
                        dst[to + l] = b.get(FLOAT, from + (long) l * Float.BYTES);
                    }
                }
            }
        }
    }

    /**
     * op(A) rows [i0, i0+mc), columns [p0, p0+kc) -> dst. A is stored (m,k) with row stride lda = k,
     * or (k,m) with lda = m when transA. scratch: TRANSPOSE_SCRATCH floats of the caller's own, 64-byte aligned.
     */
    static void packA(MemorySegment a, boolean transA, int lda, int i0, int mc, int p0, int kc, MemorySegment scratch,
                      float[] dst) {
        // one method per storage order, as in packB
        if (transA && L >= 4) {
            packAAlong(a, lda, i0, mc, p0, kc, dst);
        } else {
            packAAcross(a, transA, lda, i0, mc, p0, kc, scratch, dst);
        }
    }

    // A stored (k,m): op(A) column p is a contiguous run of stored row p0+p
    private static void packAAlong(MemorySegment a, int lda, int i0, int mc, int p0, int kc, float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < mc; q++, panelStart += MR) {
            int rows = Math.min(MR, mc - panelStart);
            int base = q * MR * kc;
            int i = i0 + panelStart;
            // op(A) column p is a contiguous run of stored row p0+p: one masked vector per L rows and step,
            // whose lanes past the panel's rows load as the zeros that pad an edge panel
            for (int g = 0; g < A_GROUPS; g++) {
                VectorMask<Float> stored = FIRST_LANES[Math.max(0, Math.min(L, rows - g * L))];
                VectorMask<Float> step = FIRST_LANES[Math.min(L, MR - g * L)];
                int p = 0;
                for (; OVERLAPPING_STEPS && p < kc - 1; p++) {
                    long src = ((long) (p0 + p) * lda + i + g * L) * Float.BYTES;
                    FloatVector.fromMemorySegment(F, a, src, ORDER, stored).intoArray(dst, base + p * MR + g * L);
                }
                for (; p < kc; p++) {
                    long src = ((long) (p0 + p) * lda + i + g * L) * Float.BYTES;
                    FloatVector.fromMemorySegment(F, a, src, ORDER, stored).intoArray(dst, base + p * MR + g * L, step);
                }
            }
        }
    }

    // A stored (m,k) (or any A where the vector paths do not apply): transposes, element by element at the edges
    private static void packAAcross(MemorySegment a, boolean transA, int lda, int i0, int mc, int p0, int kc,
                                    MemorySegment scratch, float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < mc; q++, panelStart += MR) {
            int rows = Math.min(MR, mc - panelStart);
            int base = q * MR * kc;
            int i = i0 + panelStart;
            if (rows < MR) {
                Arrays.fill(dst, base, base + MR * kc, 0f);
                packAScalar(a, transA, lda, i, rows, p0, kc, dst, base);
                continue;
            }
            int p = 0;
            long rowBytes = (long) lda * Float.BYTES;
            if (QUARTER_TRANSPOSES && MR % 4 == 0 && !transA) {
                // 4-row panels, and 12-row ones at 8 lanes: MR / 4 transposes per 4 steps, each column stored whole
                for (; p + 4 <= kc; p += 4) {
                    transposeQuarters(a, ((long) i * lda + p0 + p) * Float.BYTES, rowBytes, MR, dst, base + p * MR, MR);
                }
            } else if (QUARTER_TRANSPOSES && MR == 6 && !transA) {
                // 6-row panels: rows 4-5 first (their spill onto the next step's rows 0-1 is overwritten), then 0-3;
                // p + 4 < kc keeps a step after every block, so the last spill lands inside the panel
                for (; p + 4 < kc; p += 4) {
                    long from = ((long) i * lda + p0 + p) * Float.BYTES;
                    transposeQuarter(a, from + 4 * rowBytes, rowBytes, 2, dst, base + p * MR + 4, MR);
                    transposeQuarter(a, from, rowBytes, 4, dst, base + p * MR, MR);
                }
            }
            for (; TRANSPOSES && !QUARTER_TRANSPOSES && !transA && p + L <= kc; p += L) {
                packAStepsTransposed(a, lda, i, p0 + p, scratch, dst, base + p * MR);
            }
            if (p < kc) {
                packAScalar(a, transA, lda, i, MR, p0 + p, kc - p, dst, base + p * MR);
            }
        }
    }

    // A stored (m,k): MR rows from i, L steps from p -> dst from at, step-major (MR floats per step), in
    // groups of at most L rows (reached at 16 lanes with MR = 12, and at 4 lanes: the quarter transposes serve
    // the rest)
    private static void packAStepsTransposed(MemorySegment a, int lda, int i, int p, MemorySegment scratch, float[] dst,
                                             int at) {
        for (int g = 0; g < A_GROUPS; g++) {
            int rows = Math.min(L, MR - g * L);
            // a whole group of L rows is stored unmasked (at 4 lanes every group is whole: MR is 4 or 12 there,
            // GemmBlocking.tileRows gives 6 only with 8 lanes or more)
            transposeBlock(a, ((long) (i + g * L) * lda + p) * Float.BYTES, (long) lda * Float.BYTES, rows, scratch,
                    dst, at + g * L, MR, rows == L ? null : FIRST_LANES[rows]);
        }
    }

    // the element-by-element A packing for edge panels and leftover steps: rows x kc from (i, p0) -> dst from base
    private static void packAScalar(MemorySegment a, boolean transA, int lda, int i, int rows, int p0, int kc,
                                    float[] dst, int base) {
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < kc; p++) {
                long src = transA ? (long) (p0 + p) * lda + i + r : (long) (i + r) * lda + p0 + p;
                dst[base + p * MR + r] = a.getAtIndex(FLOAT, src);
            }
        }
    }

    /**
     * op(B) rows [p0, p0+kc), columns [j0, j0+nc) -> dst. B is stored (k,n) with row stride ldb = n,
     * or (n,k) with ldb = k when transB. scratch: TRANSPOSE_SCRATCH floats of the caller's own, 64-byte aligned.
     */
    static void packB(MemorySegment b, boolean transB, int ldb, int p0, int kc, int j0, int nc, MemorySegment scratch,
                      float[] dst) {
        // one method per storage order: each is compiled with a profile of its own path only (one shared
        // method compiled first for one order and then trapping into the other was recompiled without
        // room to inline its Vector API calls, which then ran boxed)
        if (transB) {
            packBAcross(b, ldb, p0, kc, j0, nc, scratch, dst);
        } else {
            packBAlong(b, ldb, p0, kc, j0, nc, dst);
        }
    }

    // B stored (n,k): panels cut across the storage, transposed (4 x 4 blocks at 8 lanes, L x L otherwise)
    private static void packBAcross(MemorySegment b, int ldb, int p0, int kc, int j0, int nc, MemorySegment scratch,
                                    float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < nc; q++, panelStart += NR) {
            int cols = Math.min(NR, nc - panelStart);
            int base = q * NR * kc;
            if (cols < NR) {
                Arrays.fill(dst, base, base + NR * kc, 0f);
            }
            int j = j0 + panelStart;
            // each half panel of L columns: transposes, then the leftover steps one by one
            for (int h = 0; h < cols; h += L) {
                int width = Math.min(L, cols - h);
                int p = 0;
                if (QUARTER_B_TRANSPOSES && width == L) {
                    long rowBytes = (long) ldb * Float.BYTES;
                    for (; p + 4 <= kc; p += 4) {
                        transposeQuarters(b, ((long) (j + h) * ldb + p0 + p) * Float.BYTES, rowBytes, L, dst,
                                base + p * NR + h, NR);
                    }
                } else if (TRANSPOSES && width == L) {
                    for (; p + L <= kc; p += L) {
                        packBStepsTransposed(b, ldb, j + h, p0 + p, scratch, dst, base + p * NR + h);
                    }
                }
                for (int c = 0; c < width; c++) {
                    for (int s = p; s < kc; s++) {
                        dst[base + s * NR + h + c] = b.getAtIndex(FLOAT, (long) (j + h + c) * ldb + p0 + s);
                    }
                }
            }
        }
    }

    // B stored (k,n): panels along the storage, whole vectors copied
    private static void packBAlong(MemorySegment b, int ldb, int p0, int kc, int j0, int nc, float[] dst) {
        for (int q = 0, panelStart = 0; panelStart < nc; q++, panelStart += NR) {
            int cols = Math.min(NR, nc - panelStart);
            int base = q * NR * kc;
            if (cols < NR) {
                Arrays.fill(dst, base, base + NR * kc, 0f);
            }
            int j = j0 + panelStart;
            // op(B) row p is contiguous: the panel's columns are two (masked at the edge) vectors per step
            VectorMask<Float> m0 = F.indexInRange(0, cols);
            VectorMask<Float> m1 = F.indexInRange(L, cols);
            for (int p = 0; p < kc; p++) {
                long src = ((long) (p0 + p) * ldb + j) * Float.BYTES;
                int at = base + p * NR;
                if (cols == NR) {
                    FloatVector.fromMemorySegment(F, b, src, ORDER).intoArray(dst, at);
                    FloatVector.fromMemorySegment(F, b, src + (long) L * Float.BYTES, ORDER).intoArray(dst, at + L);
                } else {
                    FloatVector.fromMemorySegment(F, b, src, ORDER, m0).intoArray(dst, at, m0);
                    FloatVector.fromMemorySegment(F, b, src + (long) L * Float.BYTES, ORDER, m1)
                            .intoArray(dst, at + L, m1);
                }
            }
        }
    }

    // B stored (n,k): L columns from j, L steps from p -> dst from at, step s at at + s * NR
    private static void packBStepsTransposed(MemorySegment b, int ldb, int j, int p, MemorySegment scratch, float[] dst,
                                             int at) {
        transposeBlock(b, ((long) j * ldb + p) * Float.BYTES, (long) ldb * Float.BYTES, L, scratch, dst, at, NR,
                null);
    }

    /**
     * The rows stored at from, from + rowBytes, ... (L floats each; rows past {@code rows} read again as
     * the last one, their lanes dropped by the mask) -> their transpose: column s (lane s of every row)
     * is stored under mask at dst[at + s * stride] (16 lanes; at 4 lanes every group is whole), or whole where
     * mask is null (every row there: B panels), as a plain store: a masked one costs several times more on AVX2. log2(L) stages swap the off-diagonal b x b blocks of
     * every 2b x 2b block, b = L/2 ... 1 (16 lanes: each output one two-source selection; 4 lanes: a permute
     * and a blend, see transposeQuarter).
     */
    private static void transposeBlock(MemorySegment src, long from, long rowBytes, int rows, MemorySegment scratch,
                                       float[] dst, int at, int stride, VectorMask<Float> mask) {
        if (L == 16) {
            transpose16(src, from, rowBytes, rows, scratch, dst, at, stride, mask);
        } else { // 4 lanes (8 lanes never get here: QUARTER_TRANSPOSES, QUARTER_B_TRANSPOSES); only ever whole
            assert mask == null : "at 4 lanes every transposed group is whole";
            transposeQuarter(src, from, rowBytes, rows, dst, at, stride);
        }
    }

    // the byte offset of row r of a transpose block whose rows past `rows` repeat the last one
    private static long rowAt(long from, long rowBytes, int r, int rows) {
        return from + Math.min(r, rows - 1) * rowBytes;
    }

    /**
     * 16 x 16 (512-bit vectors): four stages, b = 8, 4, 2, 1. Stages 8 and 4 only mix rows
     * {g, g+4, g+8, g+12} and stages 2 and 1 only rows {4g..4g+3}, so each half is a loop over 4 groups
     * of 4 vectors, the halves handing over through scratch (L1-resident). Written out as one straight
     * method, the transpose was too big for C2 to inline (vectors passed to a call are boxed: 2x slower
     * than scalar copies) and for C1's profiling tier (out of virtual registers), after which it never
     * reached C2 and ran boxed at a fifth of the speed.
     */
    private static void transpose16(MemorySegment src, long from, long rowBytes, int rows, MemorySegment scratch,
                                    float[] dst, int at, int stride, VectorMask<Float> lanes) {
        // AVX-512 stores under a mask at full speed, so every lane set is one masked store
        VectorMask<Float> mask = lanes == null ? ALL_LANES : lanes;
        for (int g = 0; g < 4; g++) {
            FloatVector r0 = FloatVector.fromMemorySegment(F, src, rowAt(from, rowBytes, g, rows), ORDER);
            FloatVector r4 = FloatVector.fromMemorySegment(F, src, rowAt(from, rowBytes, g + 4, rows), ORDER);
            FloatVector r8 = FloatVector.fromMemorySegment(F, src, rowAt(from, rowBytes, g + 8, rows), ORDER);
            FloatVector r12 = FloatVector.fromMemorySegment(F, src, rowAt(from, rowBytes, g + 12, rows), ORDER);
            FloatVector s0 = LOW8.selectFrom(r0, r8), s8 = HIGH8.selectFrom(r0, r8);
            FloatVector s4 = LOW8.selectFrom(r4, r12), s12 = HIGH8.selectFrom(r4, r12);
            LOW4.selectFrom(s0, s4).intoMemorySegment(scratch, (long) (g * L) * Float.BYTES, ORDER);
            HIGH4.selectFrom(s0, s4).intoMemorySegment(scratch, (long) ((g + 4) * L) * Float.BYTES, ORDER);
            LOW4.selectFrom(s8, s12).intoMemorySegment(scratch, (long) ((g + 8) * L) * Float.BYTES, ORDER);
            HIGH4.selectFrom(s8, s12).intoMemorySegment(scratch, (long) ((g + 12) * L) * Float.BYTES, ORDER);
        }
        for (int g = 0; g < 16; g += 4) {
            FloatVector t0 = FloatVector.fromMemorySegment(F, scratch, (long) (g * L) * Float.BYTES, ORDER);
            FloatVector t1 = FloatVector.fromMemorySegment(F, scratch, (long) ((g + 1) * L) * Float.BYTES, ORDER);
            FloatVector t2 = FloatVector.fromMemorySegment(F, scratch, (long) ((g + 2) * L) * Float.BYTES, ORDER);
            FloatVector t3 = FloatVector.fromMemorySegment(F, scratch, (long) ((g + 3) * L) * Float.BYTES, ORDER);
            FloatVector u0 = LOW2.selectFrom(t0, t2), u2 = HIGH2.selectFrom(t0, t2);
            FloatVector u1 = LOW2.selectFrom(t1, t3), u3 = HIGH2.selectFrom(t1, t3);
            LOW1.selectFrom(u0, u1).intoArray(dst, at + g * stride, mask);
            HIGH1.selectFrom(u0, u1).intoArray(dst, at + (g + 1) * stride, mask);
            LOW1.selectFrom(u2, u3).intoArray(dst, at + (g + 2) * stride, mask);
            HIGH1.selectFrom(u2, u3).intoArray(dst, at + (g + 3) * stride, mask);
        }
    }

    /**
     * {@code rows} stored rows (a multiple of 4) from byte offset from, 4 floats each -> 4 steps of a panel
     * {@code stride} floats apart from dst[at], rows 4g..4g+3 by one {@link #transposeQuarter} each.
     */
    private static void transposeQuarters(MemorySegment src, long from, long rowBytes, int rows, float[] dst, int at,
                                          int stride) {
        for (int g = 0; g < rows; g += 4) {
            transposeQuarter(src, from + g * rowBytes, rowBytes, 4, dst, at + g, stride);
        }
    }

    /**
     * 4 stored rows from byte offset from (row stride rowBytes; rows past {@code rows} read again as the last),
     * 4 floats each -> their transpose: column s (lane s of every row) as one whole 128-bit store at
     * dst[at + s * stride] (see QUARTER_TRANSPOSES).
     */
    private static void transposeQuarter(MemorySegment src, long from, long rowBytes, int rows, float[] dst, int at,
                                         int stride) {
        FloatVector r0 = FloatVector.fromMemorySegment(F4, src, from, ORDER);
        FloatVector r1 = FloatVector.fromMemorySegment(F4, src, rowAt(from, rowBytes, 1, rows), ORDER);
        FloatVector r2 = FloatVector.fromMemorySegment(F4, src, rowAt(from, rowBytes, 2, rows), ORDER);
        FloatVector r3 = FloatVector.fromMemorySegment(F4, src, rowAt(from, rowBytes, 3, rows), ORDER);
        FloatVector x0 = r0.blend(r2.rearrange(UP2_4), SECOND2_4), x2 = r0.rearrange(DOWN2_4).blend(r2, SECOND2_4);
        FloatVector x1 = r1.blend(r3.rearrange(UP2_4), SECOND2_4), x3 = r1.rearrange(DOWN2_4).blend(r3, SECOND2_4);
        x0.blend(x1.rearrange(UP1_4), SECOND1_4).intoArray(dst, at);
        x0.rearrange(DOWN1_4).blend(x1, SECOND1_4).intoArray(dst, at + stride);
        x2.blend(x3.rearrange(UP1_4), SECOND1_4).intoArray(dst, at + 2 * stride);
        x2.rearrange(DOWN1_4).blend(x3, SECOND1_4).intoArray(dst, at + 3 * stride);
    }

    // lane l of the new first row (high = false) or second row (high = true) of a block swap with block size b
    private static FloatVector blockSwapIndices(int b, boolean high) {
        float[] indices = new float[L];
        for (int l = 0; l < L; l++) {
            boolean lowLane = (l & b) == 0;
            if (!high) {
                indices[l] = lowLane ? l : L + l - b;   // own low lanes, then the partner's low lanes
            } else {
                indices[l] = lowLane ? l + b : L + l;   // own high lanes, then the partner's high lanes
            }
        }
        return FloatVector.fromArray(F, indices, 0);
    }
}
