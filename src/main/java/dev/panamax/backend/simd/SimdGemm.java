package dev.panamax.backend.simd;

import dev.panamax.backend.staging.NativeGemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static dev.panamax.backend.simd.GemmBlocking.KC;
import static dev.panamax.backend.simd.GemmBlocking.L;
import static dev.panamax.backend.simd.GemmBlocking.MC;
import static dev.panamax.backend.simd.GemmBlocking.MR;
import static dev.panamax.backend.simd.GemmBlocking.NC;
import static dev.panamax.backend.simd.GemmBlocking.NR;

/**
 * BLIS-style GEMM: {@code C = alpha * op(A) op(B) + beta * C}. Loop nest, outermost first:
 * jc over NC columns (B panel in L3) -> pc over KC steps (pack B) -> ic over MC rows (pack A, block
 * in L2) -> jr over NR columns (B micro-panel stays in L1) -> ir over MR rows -> micro-kernel.
 *
 * <p>Threads: C is cut into one slab per thread, along n when it has enough NR panels, else along m;
 * each slab runs the whole nest with the pack buffers of the thread that claimed it, so the threads
 * never wait on each other, and a thread late to start leaves its slab to the others. Pack buffers grow to
 * the largest problem seen and are then reused (no allocation per call).
 *
 * <p>Any number of threads may call at once, with no lock: each call's arguments and its caller's pack
 * buffers live in a {@link Call} taken from a small free list (reused, so steady state allocates
 * nothing), and the worker pool serves one call at a time. A call that finds the pool busy runs whole on
 * its own thread instead of waiting: concurrent callers then each compute on their own core.
 */
final class SimdGemm implements NativeGemm, AutoCloseable {
    /**
     * Whether A stored along k may be read in place (GemmInPlaceKernels, and with it the swapped NT
     * product). Not with 16 registers: the in-place kernel's scalar loads and broadcasts then cost C2
     * the registers it needs for the accumulators, and packing A is the cheaper of the two.
     */
    private static final boolean IN_PLACE_A = !GemmBlocking.SIXTEEN_REGISTERS;
    /**
     * Columns of a transposed C per thread's unit: a multiple of MR (whole tiles) and of a cache line's
     * floats, so that where C's rows start on a line two threads never write into the same line.
     */
    private static final int TRANSPOSED_UNIT = lcm(4 * MR, GemmBlocking.LINE_FLOATS);
    /**
     * Longest k for the short-k product, which writes C from registers: where k is this short a packed
     * tile's round trip through memory costs about as much as its k FMAs per vector. 16 covers the
     * 10-class layer's input gradient (k = 10) at every vector width, not only where 10 fits in one vector.
     */
    static final int SHORT_K = 16;
    /** Fused multiply-adds below which a slab is not worth a thread: about 20 us of one core's work,
     *  several times the cost of waking a worker. */
    static final long MIN_FMAS_PER_THREAD = 2_000_000L;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    /** Largest C the swapped NT product takes (its C^T buffer, per thread, holds a whole slab): 16 MB. */
    private static final long MAX_TRANSPOSED_FLOATS = 1L << 22;

    /** Per-thread scratch: packed A block, packed B block, one tile, one transpose block. */
    private static final class Workspace {
        float[] aPack = new float[0];
        float[] bPack = new float[0];
        final float[] tile = new float[MR * NR];
        /** The swapped product's C^T slab (see GemmInPlaceKernels), and its gather index map. */
        float[] ct = new float[0];
        final int[] lanes = new int[L];
        /** Lane-wise partial sums of one {@link GemmSmallKernels#dotRows} (or 16-register dotRowsInterleaved) call. */
        final float[] dotSums = new float[GemmSmallKernels.DOT_A_ROWS * GemmSmallKernels.DOT_B_ROWS * L];
        /** Native and 64-byte aligned: the transpose's vector stores and reloads then never split a cache line. */
        final MemorySegment scratch = java.lang.foreign.Arena.ofAuto()
                .allocate((long) GemmPacking.TRANSPOSE_SCRATCH * Float.BYTES, 64);
    }

    /** Calls kept for reuse: one per thread that has called at once, up to this many. */
    private static final int KEPT_CALLS = 64;

    private final WorkerPool pool;
    /** Scratch of the pool's workers, index 1 to size - 1 (a call brings its own for its caller, index 0). */
    private final Workspace[] workerSpaces;
    /** Set while a call has the workers; a call that finds it set runs on its caller alone. */
    private final AtomicBoolean poolBusy = new AtomicBoolean();
    private final AtomicReferenceArray<Call> freeCalls = new AtomicReferenceArray<>(KEPT_CALLS);

    SimdGemm(WorkerPool pool) {
        this.pool = pool;
        this.workerSpaces = new Workspace[pool.size()];
        for (int t = 1; t < workerSpaces.length; t++) {
            workerSpaces[t] = new Workspace();
        }
    }

    /**
     * Row-major storage with leading dimensions (floats between rows), each operand starting at its
     * segment's first byte: A (m,k), or (k,m) if transA, rows lda apart; B (k,n), or (n,k) if transB,
     * rows ldb apart; C (m,n), rows ldc apart. Nothing outside C's m x n elements is written. Native
     * memory (SimdBackend stages heap operands through NativeStaging).
     */
    @Override
    public void gemmNative(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
                           int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleOnly(c, m, n, ldc, beta);
            return;
        }
        Call call = takeCall();
        try {
            call.run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } finally {
            call.a = null;
            call.b = null;
            call.c = null;
            giveBack(call);
        }
    }

    private Call takeCall() {
        for (int i = 0; i < KEPT_CALLS; i++) {
            Call call = freeCalls.getAndSet(i, null);
            if (call != null) {
                return call;
            }
        }
        return new Call(); // more callers at once than ever before
    }

    private void giveBack(Call call) {
        for (int i = 0; i < KEPT_CALLS; i++) {
            if (freeCalls.compareAndSet(i, null, call)) {
                return;
            }
        }
    }

    /** One GEMM in progress: its arguments, read by its parts, and the calling thread's scratch. */
    private final class Call implements WorkerPool.Job {
        private final Workspace own = new Workspace();
        private boolean transA;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private float alpha;
        private float beta;
        private MemorySegment a;
        private MemorySegment b;
        private MemorySegment c;
        private int lda;
        private int ldb;
        private int ldc;
        private boolean splitN;
        /** The call computes C^T = B A^T (see {@link GemmInPlaceKernels}): m, n, a, b above are the swapped problem's. */
        private boolean transposedC;

        void run(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                 MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
            // NT with A the smaller operand and no narrow edge on either side: C^T = B A^T, so that the big B
            // is read in place and only A is transposed into panels (see GemmInPlaceKernels)
            this.transposedC = IN_PLACE_A && !transA && transB && m < n && m > L && n > 2 * MR && !aliasesInL1(ldb)
                    && (long) n * roundUp(m, L) <= MAX_TRANSPOSED_FLOATS;
            this.transA = transA;
            this.transB = transB;
            this.m = transposedC ? n : m;
            this.n = transposedC ? m : n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            this.a = transposedC ? b : a;
            this.b = transposedC ? a : b;
            this.lda = transposedC ? ldb : lda;
            this.ldb = transposedC ? lda : ldb;
            this.c = c;
            this.ldc = ldc;
            // the swapped problem is NT again (B, stored (n,k), is its A; A, stored (m,k), its transposed B), so
            // the flags stay; from here on m and n are the sizes of the problem computed
            m = this.m;
            n = this.n;
            int nPanels = (n + NR - 1) / NR;
            int mPanels = (m + MR - 1) / MR;
            long byWork = (long) m * n * k / MIN_FMAS_PER_THREAD;
            int parts = (int) Math.max(1, Math.min(pool.size(), byWork));
            if (parts > 1 && !(pool.canAccess(this.a) && pool.canAccess(this.b) && pool.canAccess(this.c))) {
                parts = 1; // a confined arena's tensors can only be read by their owner thread
            }
            if (parts > 1 && !poolBusy.compareAndSet(false, true)) {
                parts = 1; // another call has the workers: this one takes its own core rather than wait
            }
            if (parts == 1) {
                run(0, 1, 0);
                return;
            }
            try {
                // cut along n when every part gets at least one whole B panel per thread and n is the longer side
                splitN = nPanels >= parts && (n >= m || mPanels < parts);
                parts = Math.min(parts, splitN ? nPanels : mPanels);
                pool.run(this, parts);
            } finally {
                poolBusy.set(false);
            }
        }

        @Override
        public void run(int part, int parts, int thread) {
            int unitSize = splitN ? NR : transposedC ? TRANSPOSED_UNIT : MR;
            int units = ((splitN ? n : m) + unitSize - 1) / unitSize;
            int from = (int) ((long) units * part / parts) * unitSize;
            int to = (int) Math.min((long) units * (part + 1) / parts * unitSize, splitN ? n : m);
            if (from >= to) {
                return;
            }
            Workspace ws = thread == 0 ? own : workerSpaces[thread];
            if (splitN) {
                slab(ws, 0, m, from, to - from);
            } else {
                slab(ws, from, to - from, 0, n);
            }
        }

        // C rows [i0, i0+rows), columns [j0, j0+cols): the full BLIS nest on one thread
        private void slab(Workspace ws, int i0, int rows, int j0, int cols) {
            // transposed C: a row of the swapped problem is a column of C, written by transposeInto along C's rows
            long ldcBytes = (long) ldc * Float.BYTES;
            long ldaBytes = (long) lda * Float.BYTES;
            // equal k blocks (784 with KC 597 -> 2 x 392, not 597 + 187): a short last block wastes C reads and writes
            int kBlocks = (k + KC - 1) / KC;
            int kcMax = (k + kBlocks - 1) / kBlocks;
            int mcMax = rowBlock(rows);
            int ncMax = Math.min(NC, roundUp(cols, NR));
            ensureCapacity(ws, mcMax * kcMax, ncMax * kcMax);
            float[] ap = ws.aPack;
            float[] bp = ws.bPack;
            // few rows (each B panel meets one or two A panels) or a short k: B's rows are read where they are
            boolean bFromStorage = !transB && (rows <= 2 * MR || k <= L);
            long ldbBytes = (long) ldb * Float.BYTES;
            // C at most one vector wide (the logits GEMM): A's rows are copied as they are, not transposed into
            // panels, which costs about as much as the narrow product itself
            boolean narrowFromA = !transA && cols <= L;
            // A stored along k is read in place by the micro-kernel (GemmInPlaceKernels.multiplyFromA) rather than
            // transposed into panels, unless another path copies it already or its rows alias in L1
            boolean aInPlace = IN_PLACE_A && !transA && !narrowFromA && !bFromStorage && !aliasesInL1(lda);
            // C narrower than one tile (the logits GEMM), both operands stored along k: dot products of stored rows
            if (!transA && transB && cols < NR && k % L == 0
                    && L % 4 == 0 && !transposedC) {
                dotProducts(ws, i0, rows, j0, cols, ldcBytes);
                return;
            }
            if (!transA && !transB && !transposedC && k <= SHORT_K && k <= KC && rows % GemmSmallKernels.SHORT_K_ROWS == 0
                    && cols % GemmSmallKernels.SHORT_K_COLS == 0) {
                shortK(ws, i0, rows, j0, cols, mcMax, ldcBytes);
                return;
            }
            // C of 5 or 10 rows (a 10-class layer's weight gradient), B read in place: 5-row tiles waste nothing
            // where the 12-row tile would compute 2 padding rows for every 10
            if (!GemmBlocking.SIXTEEN_REGISTERS && bFromStorage && !transposedC && rows <= MR
                    && rows % GemmSmallKernels.FIVE_ROWS == 0 && cols % GemmSmallKernels.FIVE_ROWS_COLS == 0) {
                fiveRows(ws, i0, rows, j0, cols, kcMax, ldcBytes);
                return;
            }
            // rows padded to whole vectors: the gathers of transposeInto check the index of every lane, masked or not
            if (transposedC && ws.ct.length < roundUp(rows, L) * cols) {
                ws.ct = new float[roundUp(rows, L) * cols]; // grows to the largest slab seen, then reused
            }
            for (int jc = 0; jc < cols; jc += NC) {
                int nc = Math.min(NC, cols - jc);
                for (int pc = 0; pc < k; pc += kcMax) {
                    int kc = Math.min(kcMax, k - pc);
                    float betaHere = pc == 0 ? beta : 1f; // later k blocks accumulate onto the first
                    if (!bFromStorage) {
                        GemmPacking.packB(b, transB, ldb, pc, kc, j0 + jc, nc, ws.scratch, bp);
                    }
                    for (int ic = 0; ic < rows; ic += mcMax) {
                        int mc = Math.min(mcMax, rows - ic);
                        if (transposedC) {
                            swappedBlock(ws, i0, cols, ic, mc, jc, nc, pc, kc, ldaBytes);
                            continue;
                        }
                        if (aInPlace) {
                            // nothing to pack: the kernel reads A's rows where they are
                        } else if (narrowFromA) {
                            GemmPacking.copyRows(a, lda, i0 + ic, mc, pc, kc, ap);
                            // rows past mc up to a whole panel: their products are computed and never written
                            int padded = roundUp(mc, MR);
                            java.util.Arrays.fill(ap, mc * kc, padded * kc, 0f);
                        } else {
                            GemmPacking.packA(a, transA, lda, i0 + ic, mc, pc, kc, ws.scratch, ap);
                        }
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            int j = j0 + jc + jr;
                            long cCol = (long) j * Float.BYTES;
                            int bOff = jr * kc; // panel jr / NR starts at (jr / NR) * NR * kc
                            if (bFromStorage && nr < NR) {
                                GemmPacking.packB(b, false, ldb, pc, kc, j, nr, ws.scratch, bp); // the edge panel alone
                                bOff = 0;
                            }
                            if (nr <= L && !aInPlace) {
                                // at most one vector of columns: two A panels per narrow tile
                                for (int ir = 0; ir < mc; ir += 2 * MR) {
                                    int mr0 = Math.min(MR, mc - ir);
                                    int mr1 = Math.max(0, Math.min(MR, mc - ir - MR));
                                    int ap1 = mr1 > 0 ? (ir + MR) * kc : ir * kc;
                                    long cOff = (long) (i0 + ic + ir) * ldcBytes + cCol;
                                    // A's rows copied as stored (step 1, row kc) or packed in panels (step MR, row 1)
                                    GemmSmallKernels.multiplyNarrow(kc, ap, ir * kc, ap1, narrowFromA ? 1 : MR,
                                            narrowFromA ? kc : 1, bp, bOff, ws.tile);
                                    GemmSmallKernels.writeBackNarrow(ws.tile, 0, c, cOff, ldcBytes, alpha, betaHere, mr0, nr);
                                    if (mr1 > 0) {
                                        GemmSmallKernels.writeBackNarrow(ws.tile, 1, c, cOff + MR * ldcBytes, ldcBytes,
                                                alpha, betaHere, mr1, nr);
                                    }
                                }
                                continue;
                            }
                            boolean direct = bFromStorage && nr == NR;
                            long bStored = ((long) pc * ldb + j) * Float.BYTES;
                            for (int ir = 0; ir < mc; ir += MR) {
                                int mr = Math.min(MR, mc - ir);
                                long cOff = (long) (i0 + ic + ir) * ldcBytes + cCol;
                                if (direct) {
                                    GemmSmallKernels.multiplyFromB(kc, ap, ir * kc, b, bStored, ldbBytes, ws.tile);
                                } else if (aInPlace) {
                                    long aOff = (long) (i0 + ic + ir) * ldaBytes + (long) pc * Float.BYTES;
                                    GemmInPlaceKernels.multiplyFromA(kc, a, aOff, ldaBytes, mr, bp, bOff, ws.tile);
                                } else {
                                    GemmMicroKernel.multiply(kc, ap, ir * kc, bp, bOff, ws.tile, mr);
                                }
                                GemmMicroKernel.writeBack(ws.tile, c, cOff, ldcBytes, alpha, betaHere, mr, nr);
                            }
                        }
                    }
                }
            }
            if (transposedC) {
                GemmInPlaceKernels.transposeInto(ws.ct, rows, cols, ws.lanes, c, ((long) j0 * ldc + i0) * Float.BYTES, ldcBytes,
                        beta);
            }
        }

        // the swapped product's block of a slab starting at row i0 (cols wide): rows [i0+ic, +mc) of A' (= B,
        // read in place), columns [jc, jc+nc) of the slab packed in bPack, k steps [pc, pc+kc); tiles
        // accumulate in the slab's C^T buffer
        private void swappedBlock(Workspace ws, int i0, int cols, int ic, int mc, int jc, int nc, int pc, int kc,
                                  long ldaBytes) {
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    long aOff = (long) (i0 + ic + ir) * ldaBytes + (long) pc * Float.BYTES;
                    GemmInPlaceKernels.multiplyFromA(kc, a, aOff, ldaBytes, mr, ws.bPack, jr * kc, ws.tile);
                    GemmInPlaceKernels.accumulate(ws.tile, ws.ct, (ic + ir) * cols + jc + jr, cols, alpha, pc == 0, mr, nr);
                }
            }
        }

        // C rows [i0, i0+rows) (5 or 10, at most one A panel), columns [j0, j0+cols) in whole 4-vector blocks,
        // B read in place; k in blocks of at most kcMax, later ones accumulating onto the first (as slab does)
        private void fiveRows(Workspace ws, int i0, int rows, int j0, int cols, int kcMax, long ldcBytes) {
            long ldbBytes = (long) ldb * Float.BYTES;
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                GemmPacking.packA(a, transA, lda, i0, rows, pc, kc, ws.scratch, ws.aPack);
                for (int j = j0; j < j0 + cols; j += GemmSmallKernels.FIVE_ROWS_COLS) {
                    long bOff = ((long) pc * ldb + j) * Float.BYTES;
                    for (int r = 0; r < rows; r += GemmSmallKernels.FIVE_ROWS) {
                        GemmSmallKernels.multiplyFiveRows(kc, ws.aPack, r, b, bOff, ldbBytes, ws.tile);
                        GemmSmallKernels.writeBackFiveRows(ws.tile, c, (long) (i0 + r) * ldcBytes
                                + (long) j * Float.BYTES, ldcBytes, alpha, betaHere);
                    }
                }
            }
        }

        // C rows [i0, i0+rows), columns [j0, j0+cols), k <= SHORT_K, A and B as stored, whole blocks only:
        // A's rows copied (at most mcMax at a time), B's columns packed in blocks, C written by the kernel
        private void shortK(Workspace ws, int i0, int rows, int j0, int cols, int mcMax, long ldcBytes) {
            // the kernel writes whole blocks of SHORT_K_ROWS rows: mcMax is a multiple of MR, which need not be one
            // of SHORT_K_ROWS (6-row tiles, 4-row blocks), so the copies go in whole blocks, never past C's last row
            int step = Math.max(GemmSmallKernels.SHORT_K_ROWS, mcMax - mcMax % GemmSmallKernels.SHORT_K_ROWS);
            ensureCapacity(ws, step * k, k * cols);
            float[] ap = ws.aPack;
            GemmPacking.packColumnBlocks(b, ldb, k, j0, cols, GemmSmallKernels.SHORT_K_COLS, ws.bPack);
            for (int ic = 0; ic < rows; ic += step) {
                int mc = Math.min(step, rows - ic);
                GemmPacking.copyRows(a, lda, i0 + ic, mc, 0, k, ap);
                for (int ir = 0; ir < mc; ir += GemmSmallKernels.SHORT_K_ROWS) {
                    long cRow = (long) (i0 + ic + ir) * ldcBytes;
                    GemmSmallKernels.multiplyShortK(k, ap, ir * k, ws.bPack, c, cRow + (long) j0 * Float.BYTES,
                            ldcBytes, alpha, beta, cols / GemmSmallKernels.SHORT_K_COLS);
                }
            }
        }

        // C rows [i0, i0+rows), columns [j0, j0+cols), A as stored, B stored (n,k), k a multiple of L: each
        // output a dot product of two rows, A's read where they are stored, B's too with 32 registers; with 16,
        // B's rows are first packed interleaved (GemmPacking.packRowsInterleaved). Blocks past the edge repeat
        // the last row or column; their sums are never written.
        private void dotProducts(Workspace ws, int i0, int rows, int j0, int cols, long ldcBytes) {
            float[] sums = ws.dotSums;
            long ldaBytes = (long) lda * Float.BYTES;
            long ldbBytes = (long) ldb * Float.BYTES;
            int lastI = i0 + rows - 1;
            int lastJ = j0 + cols - 1;
            if (GemmBlocking.SIXTEEN_REGISTERS) {
                int groups = (cols + GemmSmallKernels.DOT_B_ROWS - 1) / GemmSmallKernels.DOT_B_ROWS;
                ensureCapacity(ws, 0, groups * GemmSmallKernels.DOT_B_ROWS * k);
                GemmPacking.packRowsInterleaved(b, ldb, k, j0, cols, GemmSmallKernels.DOT_B_ROWS, ws.bPack);
            }
            for (int i = i0; i <= lastI; i += GemmSmallKernels.DOT_A_ROWS) {
                long a0 = i * ldaBytes;
                long a1 = Math.min(i + 1, lastI) * ldaBytes;
                long a2 = Math.min(i + 2, lastI) * ldaBytes;
                long a3 = Math.min(i + 3, lastI) * ldaBytes;
                for (int j = j0, g = 0; j <= lastJ; j += GemmSmallKernels.DOT_B_ROWS, g++) {
                    if (GemmBlocking.SIXTEEN_REGISTERS) {
                        GemmKernels16.dotRowsInterleaved(k, a, a0, a1, ws.bPack, g * GemmSmallKernels.DOT_B_ROWS * k, sums);
                    } else {
                        GemmSmallKernels.dotRows(k, a, a0, a1, a2, a3, b, j * ldbBytes, Math.min(j + 1, lastJ) * ldbBytes,
                                Math.min(j + 2, lastJ) * ldbBytes, Math.min(j + 3, lastJ) * ldbBytes,
                                Math.min(j + 4, lastJ) * ldbBytes, sums);
                    }
                    int rowsHere = Math.min(GemmSmallKernels.DOT_A_ROWS, lastI + 1 - i);
                    int colsHere = Math.min(GemmSmallKernels.DOT_B_ROWS, lastJ + 1 - j);
                    for (int r = 0; r < rowsHere; r++) {
                        for (int q = 0; q < colsHere; q++) {
                            float dot = LaneTree.sum(sums, (r * GemmSmallKernels.DOT_B_ROWS + q) * L);
                            long cAt = (long) (i + r) * ldcBytes + (long) (j + q) * Float.BYTES;
                            float scaled = alpha * dot;
                            // the same rounding as writeBack: alpha * sum, then fma with beta * C
                            c.set(FLOAT, cAt, beta == 0f ? scaled : Math.fma(c.get(FLOAT, cAt), beta, scaled));
                        }
                    }
                }
            }
        }
    }

    private static void ensureCapacity(Workspace ws, int aFloats, int bFloats) {
        if (ws.aPack.length < aFloats) {
            ws.aPack = new float[aFloats];
        }
        if (ws.bPack.length < bFloats) {
            ws.bPack = new float[bFloats];
        }
    }

    /**
     * True when rows {@code ld} floats apart fall in the same L1 set (their distance a multiple of one
     * way, sets x line bytes): the MR rows a micro-kernel reads in place would then evict each other and
     * the B panel. Such operands are packed instead.
     */
    private static boolean aliasesInL1(int ld) {
        return ((long) ld * Float.BYTES) % GemmBlocking.L1_WAY_BYTES == 0;
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    /**
     * Rows of A packed at a time in a slab of {@code rows} rows: equal blocks of at most about MC rows, each a
     * multiple of MR (and so not, in general, of any other kernel's block of rows).
     */
    static int rowBlock(int rows) {
        int mBlocks = (rows + MC - 1) / MC;
        return roundUp((rows + mBlocks - 1) / mBlocks, MR);
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    // C (m,n), rows ldc apart -> beta * C, or zeros when beta == 0 (C not read): the product term is empty
    private static void scaleOnly(MemorySegment c, int m, int n, int ldc, float beta) {
        for (int i = 0; i < m; i++) {
            long row = (long) i * ldc * Float.BYTES;
            if (beta == 0f) {
                c.asSlice(row, (long) n * Float.BYTES).fill((byte) 0);
                continue;
            }
            for (int j = 0; j < n; j++) {
                long at = row + (long) j * Float.BYTES;
                c.set(FLOAT, at, beta * c.get(FLOAT, at));
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
