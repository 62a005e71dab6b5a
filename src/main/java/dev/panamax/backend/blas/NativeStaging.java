package dev.panamax.backend.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread native buffers that carry heap operands ({@code float[]}) into a long CBLAS call, which a
 * plain downcall cannot give heap memory. Three slots (one per operand), each grown to the largest
 * operand seen and then reused, so a thread's steady state allocates nothing; each thread has its own,
 * so concurrent callers never share one. Grown buffers are freed by the GC (automatic arenas).
 */
final class NativeStaging {
    static final int A = 0;
    static final int B = 1;
    static final int C = 2;
    private static final ThreadLocal<NativeStaging> PER_THREAD = ThreadLocal.withInitial(NativeStaging::new);

    private final MemorySegment[] slots = {MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL};

    private NativeStaging() {
    }

    /** The calling thread's buffers. */
    static NativeStaging current() {
        return PER_THREAD.get();
    }

    /**
     * A native copy of {@code floats} floats of {@code source} from float {@code offset} (every float in
     * between, gaps between rows included, so leading dimensions stay as they are), in slot {@code slot}.
     * copyIn false: the buffer is returned uninitialised (an output that is not read).
     */
    MemorySegment stage(int slot, MemorySegment source, long offset, long floats, boolean copyIn) {
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

    /** Copies {@code rows} rows of {@code cols} floats, ld apart, from a staged buffer back to {@code target}. */
    static void copyBack(MemorySegment buffer, int rows, int cols, int ld, MemorySegment target, long offset) {
        for (int i = 0; i < rows; i++) {
            long from = (long) i * ld;
            MemorySegment.copy(buffer, ValueLayout.JAVA_FLOAT_UNALIGNED, from * Float.BYTES, target,
                    ValueLayout.JAVA_FLOAT_UNALIGNED, (offset + from) * Float.BYTES, cols);
        }
    }
}
