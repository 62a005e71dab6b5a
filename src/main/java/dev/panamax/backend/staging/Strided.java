package dev.panamax.backend.staging;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Arithmetic and copies on row-major strided storage, in floats: what the backends' BLAS-style calls
 * share (see {@link dev.panamax.backend.FloatBlas} for the storage convention).
 */
public final class Strided {
    private Strided() {
    }

    /** Floats from a stored matrix's first element to its last: {@code rows} rows {@code ld} apart, {@code cols} long. */
    public static long extent(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /**
     * The segment from float {@code offset} on: a view only when the offset is not 0 (views are objects).
     * For a vector this is its lowest element whichever way its increment walks it, the pointer CBLAS expects.
     */
    public static MemorySegment from(MemorySegment s, long offset) {
        return offset == 0 ? s : s.asSlice(offset * Float.BYTES);
    }

    /**
     * Copies {@code rows} rows of {@code cols} floats: row i from float {@code srcOffset + i * srcLd} of
     * {@code src} to float {@code dstOffset + i * dstLd} of {@code dst}. Nothing between the rows is touched.
     */
    public static void copyRows(MemorySegment src, long srcOffset, int srcLd, MemorySegment dst, long dstOffset,
                                int dstLd, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, (srcOffset + (long) i * srcLd) * Float.BYTES,
                    dst, ValueLayout.JAVA_FLOAT_UNALIGNED, (dstOffset + (long) i * dstLd) * Float.BYTES, cols);
        }
    }
}
