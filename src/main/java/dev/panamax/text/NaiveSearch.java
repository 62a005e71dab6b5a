package dev.panamax.text;

import java.lang.foreign.MemorySegment;

/**
 * The reference: try every start, compare byte by byte. O(n·m) in the worst case ({@code aaa…ab} in
 * {@code aaa…a}), and the oracle the other searches are tested against.
 */
public final class NaiveSearch implements ByteSearch {
    private final byte[] pattern;

    /**
     * A search for {@code pattern}.
     *
     * @param pattern the bytes to find, at least one; copied
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    public NaiveSearch(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        this.pattern = pattern.clone();
    }

    @Override
    public int patternLength() {
        return pattern.length;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        long last = text.byteSize() - pattern.length;
        for (long i = from; i <= last; i++) {
            if (Patterns.matchesAt(text, i, pattern)) {
                return i;
            }
        }
        return -1;
    }
}
