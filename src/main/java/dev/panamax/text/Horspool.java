package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Boyer–Moore–Horspool (R. N. Horspool, "Practical fast searching in strings", Software: Practice and
 * Experience 10(6), 1980): the bad-character rule alone, keyed on the text byte under the pattern's last
 * position.
 *
 * <p>Invariant: no match starts in {@code [from, i)}. After trying the window at {@code i}, the window may
 * move by {@code shift[c]}, where {@code c} is the text byte under the pattern's last byte and
 * {@code shift[c]} the distance from the last occurrence of {@code c} in {@code pattern[0, m-1)} to the end
 * ({@code m} if it does not occur there): any smaller move would put a different pattern byte under
 * {@code c}. Worst case O(n·m), typically O(n/m) reads.
 */
public final class Horspool implements ByteSearch {
    private final byte[] pattern;
    private final int[] shift = new int[256];

    /**
     * A search for {@code pattern}, its tables built now.
     *
     * @param pattern the bytes to find, at least one; copied
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    public Horspool(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        this.pattern = pattern.clone();
        int m = pattern.length;
        java.util.Arrays.fill(shift, m);
        for (int j = 0; j < m - 1; j++) {
            shift[pattern[j] & 0xFF] = m - 1 - j;
        }
    }

    @Override
    public int patternLength() {
        return pattern.length;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        int m = pattern.length;
        long last = text.byteSize() - m;
        byte lastByte = pattern[m - 1];
        for (long i = from; i <= last; ) {
            byte c = text.get(ValueLayout.JAVA_BYTE, i + m - 1);
            if (c == lastByte && Patterns.matchesAt(text, i, pattern)) {
                return i;
            }
            i += shift[c & 0xFF];
        }
        return -1;
    }
}
