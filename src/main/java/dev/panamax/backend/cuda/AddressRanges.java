package dev.panamax.backend.cuda;

import java.util.Arrays;

/**
 * Disjoint address ranges {@code [start, end)} kept sorted, answering "does this segment lie inside
 * one of them?" by binary search without allocating: the cuda backend asks it for every tensor of
 * every call, to tell its own unified-memory tensors (used in place) from host tensors (copied).
 * Adding and removing, once per allocation, shift the arrays.
 */
final class AddressRanges {
    private long[] starts = new long[16];
    private long[] ends = new long[16];
    private int count;

    /** Adds {@code [start, start + bytes)}; it must not overlap a range already held. */
    void add(long start, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("empty range at 0x" + Long.toHexString(start));
        }
        long end = start + bytes;
        int at = insertionPoint(start);
        if ((at > 0 && ends[at - 1] > start) || (at < count && starts[at] < end)) {
            throw new IllegalStateException("range 0x" + Long.toHexString(start) + "+" + bytes + " overlaps one already held");
        }
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        starts[at] = start;
        ends[at] = end;
        count++;
    }

    /** Removes the range that starts at {@code start}; false when there is none. */
    boolean remove(long start) {
        int at = insertionPoint(start);
        if (at == count || starts[at] != start) {
            return false;
        }
        System.arraycopy(starts, at + 1, starts, at, count - at - 1);
        System.arraycopy(ends, at + 1, ends, at, count - at - 1);
        count--;
        return true;
    }

    /**
     * True when {@code [address, address + bytes)} lies inside one range. An empty span counts when its
     * address is inside a range or at its end (an empty view taken at the end of a tensor).
     */
    boolean contains(long address, long bytes) {
        int at = insertionPoint(address + 1) - 1; // the last range starting at or before address
        if (at < 0) {
            return false;
        }
        return bytes == 0 ? address <= ends[at] : address + bytes <= ends[at];
    }

    int size() {
        return count;
    }

    /** The index of the first range whose start is >= {@code address}. */
    private int insertionPoint(long address) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < address) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
