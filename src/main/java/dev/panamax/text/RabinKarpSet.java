package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Rabin–Karp for a set of patterns of one length (Karp and Rabin 1987, §4): one rolling hash of the text
 * window ({@link RabinKarp}'s, modulo 2^64) looked up in an open-addressing table of the patterns' hashes;
 * a hit is verified against each pattern with that hash. The cost is one hash step and one table probe per
 * text byte whatever the number of patterns.
 *
 * <p>As a {@link ByteSearch}, a match is an offset where at least one of the patterns starts;
 * {@link #patternAt} says which. Equal patterns in the set count once.
 */
public final class RabinKarpSet implements ByteSearch {
    private final byte[][] patterns;
    private final int length;
    private final long outWeight;
    /** Open addressing, linear probing; a power of two at least twice the number of distinct hashes. */
    private final long[] tableHash;
    /** The index in {@link #patterns} of the first pattern with that hash, -1 for an empty slot. */
    private final int[] tableFirst;
    /** next[p]: the next pattern with the same hash as pattern p, or -1. */
    private final int[] next;

    /**
     * A search for any of {@code patterns}, its hash table built now.
     *
     * @param patterns the patterns, all of one length, at least one byte each; copied
     * @throws IllegalArgumentException if the set is empty, a pattern is empty, or their lengths differ
     */
    public RabinKarpSet(byte[]... patterns) {
        if (patterns == null || patterns.length == 0) {
            throw new IllegalArgumentException("pattern set is empty: give at least one pattern");
        }
        this.patterns = new byte[patterns.length][];
        for (int p = 0; p < patterns.length; p++) {
            Patterns.requireNonEmpty(patterns[p]);
            if (patterns[p].length != patterns[0].length) {
                throw new IllegalArgumentException("patterns of a set must have one length: pattern 0 has "
                        + patterns[0].length + " bytes, pattern " + p + " has " + patterns[p].length);
            }
            this.patterns[p] = patterns[p].clone();
        }
        length = patterns[0].length;
        outWeight = RabinKarp.power(length - 1);
        int slots = Integer.highestOneBit(Math.max(2, patterns.length) * 2 - 1) << 1;
        tableHash = new long[slots];
        tableFirst = new int[slots];
        Arrays.fill(tableFirst, -1);
        next = new int[patterns.length];
        Arrays.fill(next, -1);
        for (int p = patterns.length - 1; p >= 0; p--) {
            long h = RabinKarp.hash(this.patterns[p]);
            int s = slot(h);
            while (tableFirst[s] >= 0 && tableHash[s] != h) {
                s = (s + 1) & (slots - 1);
            }
            next[p] = tableFirst[s];   // prepend, so the chain is in increasing pattern order
            tableFirst[s] = p;
            tableHash[s] = h;
        }
    }

    private int slot(long h) {
        // the hash's high bits are its best mixed (the top byte of a window weighs in with BASE^(m-1))
        return (int) ((h * 0x9E3779B97F4A7C15L) >>> 40) & (tableHash.length - 1);
    }

    /**
     * The number of patterns in the set.
     *
     * @return the patterns given, duplicates included
     */
    public int size() {
        return patterns.length;
    }

    @Override
    public int patternLength() {
        return length;
    }

    /**
     * The lowest index of a pattern of the set that starts at {@code at} in the text, or -1.
     *
     * @param text the text, a heap or native segment
     * @param at   an offset in it, {@code >= 0} (usually a match from {@link #indexOf(MemorySegment, long)})
     * @return the index, in the order given to the constructor, of the first pattern that occurs there, or -1
     * @throws IllegalArgumentException if {@code at < 0}
     */
    public int patternAt(MemorySegment text, long at) {
        Patterns.requireOffset(at);
        if (at > text.byteSize() - length) {
            return -1;
        }
        for (int p = 0; p < patterns.length; p++) {
            // a plain scan: this is the caller's question after a match, not the inner loop
            if (Patterns.matchesAt(text, at, patterns[p])) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        int m = length;
        long last = text.byteSize() - m;
        if (from > last) {
            return -1;
        }
        long h = 0;
        for (int k = 0; k < m; k++) {
            h = h * RabinKarp.BASE + (text.get(ValueLayout.JAVA_BYTE, from + k) & 0xFF);
        }
        int mask = tableHash.length - 1;
        for (long i = from; ; i++) {
            for (int s = slot(h); tableFirst[s] >= 0; s = (s + 1) & mask) {
                if (tableHash[s] == h) {
                    for (int p = tableFirst[s]; p >= 0; p = next[p]) {
                        if (Patterns.matchesAt(text, i, patterns[p])) {
                            return i;
                        }
                    }
                    break;
                }
            }
            if (i == last) {
                return -1;
            }
            int out = text.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            int in = text.get(ValueLayout.JAVA_BYTE, i + m) & 0xFF;
            h = (h - out * outWeight) * RabinKarp.BASE + in;
        }
    }
}
