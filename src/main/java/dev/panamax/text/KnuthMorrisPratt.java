package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongConsumer;

/**
 * Knuth–Morris–Pratt (D. E. Knuth, J. H. Morris, V. R. Pratt, "Fast pattern matching in strings",
 * SIAM J. Comput. 6(2), 1977; the prefix-function form of Cormen et al., <i>Introduction to Algorithms</i>,
 * §32.4).
 *
 * <p>Invariant of the scan: after reading text byte {@code i}, {@code q} is the length of the longest
 * prefix of the pattern that is a suffix of {@code text[from, i]}. On a mismatch {@code q} falls to
 * {@code prefix[q - 1]}, the length of the longest proper prefix of {@code pattern[0, q)} that is also its
 * suffix, so no text byte is read twice: at most 2n comparisons. {@link #forEach} and {@link #count} keep
 * {@code q} across matches (after a match {@code q = prefix[m - 1]}), so overlapping matches cost nothing
 * extra.
 */
public final class KnuthMorrisPratt implements ByteSearch {
    private final byte[] pattern;
    /** prefix[j]: length of the longest proper prefix of pattern[0, j] that is also a suffix of it. */
    private final int[] prefix;

    /**
     * A search for {@code pattern}, its tables built now.
     *
     * @param pattern the bytes to find, at least one; copied
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    public KnuthMorrisPratt(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        this.pattern = pattern.clone();
        this.prefix = prefixFunction(this.pattern);
    }

    static int[] prefixFunction(byte[] p) {
        int[] pi = new int[p.length];
        int k = 0;
        for (int j = 1; j < p.length; j++) {
            while (k > 0 && p[k] != p[j]) {
                k = pi[k - 1];
            }
            if (p[k] == p[j]) {
                k++;
            }
            pi[j] = k;
        }
        return pi;
    }

    @Override
    public int patternLength() {
        return pattern.length;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        return scan(text, from, null);
    }

    @Override
    public void forEach(MemorySegment text, LongConsumer action) {
        scan(text, 0, action);
    }

    @Override
    public long count(MemorySegment text) {
        long[] n = {0};
        scan(text, 0, at -> n[0]++);
        return n[0];
    }

    /** With {@code action == null}: the first match's offset or -1; else every match to action, returns -1. */
    private long scan(MemorySegment text, long from, LongConsumer action) {
        int m = pattern.length;
        long n = text.byteSize();
        int q = 0;
        for (long i = from; i < n; i++) {
            byte b = text.get(ValueLayout.JAVA_BYTE, i);
            while (q > 0 && pattern[q] != b) {
                q = prefix[q - 1];
            }
            if (pattern[q] == b) {
                q++;
            }
            if (q == m) {
                long at = i - m + 1;
                if (action == null) {
                    return at;
                }
                action.accept(at);
                q = prefix[m - 1];
            }
        }
        return -1;
    }
}
