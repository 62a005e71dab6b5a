package dev.panamax.backend.staging;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Carries heap operands ({@code float[]}) into a GEMM that computes on native memory only: each heap
 * operand is copied whole (every float from its first element to its last, gaps between rows included,
 * so leading dimensions stay as they are) into one of the calling thread's native buffers, and only C's
 * own elements are copied back. The copies are O(n^2) beside the product's O(n^3). The buffers, three
 * per thread (one per operand), grow to the largest operand seen and are then reused, so a thread's
 * steady state allocates nothing and concurrent callers never share one; grown buffers are freed by
 * the GC (automatic arenas, readable from any thread, so a GEMM's worker threads may read them).
 */
public final class NativeStaging {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final ThreadLocal<NativeStaging> PER_THREAD = ThreadLocal.withInitial(NativeStaging::new);

    private final MemorySegment[] slots = {MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL};

    private NativeStaging() {
    }

    /**
     * {@code target}'s GEMM on strided storage from float offsets, on native or heap segments: native
     * operands are passed in place (a view at a non-zero offset), heap ones through this thread's buffers.
     */
    public static void gemm(NativeGemm target, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                            float beta, MemorySegment c, long cOffset, int ldc) {
        if (a.isNative() && b.isNative() && c.isNative()) {
            target.gemmNative(transA, transB, m, n, k, alpha, Strided.from(a, aOffset), lda, Strided.from(b, bOffset),
                    ldb, beta, Strided.from(c, cOffset), ldc);
            return;
        }
        NativeStaging staging = PER_THREAD.get();
        MemorySegment sa = a.isNative() ? Strided.from(a, aOffset)
                : staging.stage(A, a, aOffset, Strided.extent(transA ? k : m, transA ? m : k, lda), true);
        MemorySegment sb = b.isNative() ? Strided.from(b, bOffset)
                : staging.stage(B, b, bOffset, Strided.extent(transB ? n : k, transB ? k : n, ldb), true);
        MemorySegment sc = c.isNative() ? Strided.from(c, cOffset)
                : staging.stage(C, c, cOffset, Strided.extent(m, n, ldc), beta != 0f);
        target.gemmNative(transA, transB, m, n, k, alpha, sa, lda, sb, ldb, beta, sc, ldc);
        if (!c.isNative()) {
            Strided.copyRows(sc, 0, ldc, c, cOffset, ldc, m, n);
        }
    }

    // `floats` floats of `source` from float `offset` in native slot `slot` (copied when copyIn; an output
    // that is not read is left as the buffer holds it)
    private MemorySegment stage(int slot, MemorySegment source, long offset, long floats, boolean copyIn) {
        long bytes = Math.max(1, floats) * Float.BYTES;
        if (slots[slot].byteSize() < bytes) {
            slots[slot] = Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment buffer = slots[slot];
        if (copyIn) {
            MemorySegment.copy(source, ValueLayout.JAVA_FLOAT_UNALIGNED, offset * Float.BYTES, buffer,
                    ValueLayout.JAVA_FLOAT_UNALIGNED, 0, floats);
        }
        return buffer;
    }
}
