package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Boyer–Moore (R. S. Boyer, J S. Moore, "A fast string searching algorithm", CACM 20(10), 1977) with both
 * rules; the good-suffix table in the linear-time form of C. Charras and T. Lecroq, <i>Handbook of Exact
 * String Matching Algorithms</i> (2004), §"Boyer-Moore".
 *
 * <p>The window at {@code i} is compared right to left. Invariant: no match starts in {@code [from, i)}.
 * On a mismatch at pattern position {@code j} (text byte {@code c}), the window moves by the larger of
 * <ul>
 *   <li>bad character: {@code j - last[c]}, putting the last occurrence of {@code c} in the pattern under
 *       it (at least 1);</li>
 *   <li>good suffix: {@code goodSuffix[j]}, the least move that lines up another occurrence of the matched
 *       suffix {@code pattern[j+1, m)} (preceded by a byte other than {@code pattern[j]}), or the longest
 *       prefix of the pattern that is a suffix of it.</li>
 * </ul>
 * Each rule alone never skips a match, so neither does their maximum. Sublinear on typical text; the
 * good-suffix rule bounds the periodic worst cases that make {@link Horspool} quadratic.
 */
public final class BoyerMoore implements ByteSearch {
    private final byte[] pattern;
    /** last[c]: the last position of byte c in the pattern, or -1. */
    private final int[] last = new int[256];
    /** goodSuffix[j]: the shift after a mismatch at pattern position j; goodSuffix[0] after a full match. */
    private final int[] goodSuffix;

    /**
     * A search for {@code pattern}, its tables built now.
     *
     * @param pattern the bytes to find, at least one; copied
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    public BoyerMoore(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        this.pattern = pattern.clone();
        java.util.Arrays.fill(last, -1);
        for (int j = 0; j < pattern.length; j++) {
            last[pattern[j] & 0xFF] = j;
        }
        goodSuffix = goodSuffixShifts(this.pattern);
    }

    /**
     * suffixLength[i]: the length of the longest common suffix of {@code pattern[0, i]} and the whole
     * pattern. Linear: {@code [lo, hi]} is the window of the rightmost suffix match found so far, reused as
     * in the Z algorithm.
     */
    static int[] suffixLengths(byte[] p) {
        int m = p.length;
        int[] suffixLength = new int[m];
        suffixLength[m - 1] = m;
        int lo = m - 1;  // p[lo+1, hi] equals the pattern's suffix of that length
        int hi = m - 1;
        for (int i = m - 2; i >= 0; i--) {
            if (i > lo && suffixLength[i + m - 1 - hi] < i - lo) {
                suffixLength[i] = suffixLength[i + m - 1 - hi];
            } else {
                lo = Math.min(lo, i);
                hi = i;
                while (lo >= 0 && p[lo] == p[lo + m - 1 - hi]) {
                    lo--;
                }
                suffixLength[i] = hi - lo;
            }
        }
        return suffixLength;
    }

    static int[] goodSuffixShifts(byte[] p) {
        int m = p.length;
        int[] suffixLength = suffixLengths(p);
        int[] shift = new int[m];
        java.util.Arrays.fill(shift, m);
        // Case 2: a prefix of the pattern is a suffix of it (a border); mismatches left of where that border
        // starts may shift so the prefix lines up with the text's matched suffix. Widest border first.
        int j = 0;
        for (int i = m - 1; i >= 0; i--) {
            if (suffixLength[i] == i + 1) {
                for (; j < m - 1 - i; j++) {
                    if (shift[j] == m) {
                        shift[j] = m - 1 - i;
                    }
                }
            }
        }
        // Case 1: the matched suffix occurs again inside the pattern ending at i; later (rightmost) i win,
        // giving the smallest shift.
        for (int i = 0; i <= m - 2; i++) {
            shift[m - 1 - suffixLength[i]] = m - 1 - i;
        }
        return shift;
    }

    @Override
    public int patternLength() {
        return pattern.length;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        int m = pattern.length;
        long end = text.byteSize() - m;
        for (long i = from; i <= end; ) {
            int j = m - 1;
            byte c;
            while ((c = text.get(ValueLayout.JAVA_BYTE, i + j)) == pattern[j]) {
                if (j == 0) {
                    return i;
                }
                j--;
            }
            i += Math.max(goodSuffix[j], j - last[c & 0xFF]);
        }
        return -1;
    }
}
