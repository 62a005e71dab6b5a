package dev.panamax.text;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The Vector API search: at a vector of candidate starts at once, test two bytes of the pattern, and verify
 * only the starts where both are equal. This is the "generic SIMD" algorithm of W. Muła, "SIMD-friendly
 * algorithms for substring searching" (2016, http://0x80.pl/articles/simd-strfind.html), which tests the
 * first and last bytes, with the refinement of the "packed pair" searcher of Rust's memchr crate
 * (A. Gallant): test the two bytes of the pattern that are rarest in typical text ({@link ByteFrequency}),
 * at their own offsets {@code rare1} and {@code rare2}, so candidates are rarer still.
 *
 * <p>Invariant: no match starts in {@code [from, i)}. One step loads the text at {@code i + rare1} and at
 * {@code i + rare2}, a vector ({@code W} bytes) each, compares each with its pattern byte broadcast, and
 * ANDs the masks: lane {@code k} is set iff the window at {@code i + k} has both bytes right; each set lane is
 * verified byte by byte. Where a step has candidates, two more pattern bytes ({@code extra1}, {@code extra2},
 * other offsets, for patterns of 3 and 4+ bytes) are tested the same way before any lane is verified: on
 * English text a step rarely has a candidate, so this costs nothing there, while on a small alphabet (DNA:
 * a pair of bytes matches one window in 16) it cuts the scalar verifications, and their mispredicted branches,
 * to one window in 256. The step runs while all {@code W} windows fit in the text; the last fewer than
 * {@code W} starts are tried one by one. The width is {@link ByteVector#SPECIES_PREFERRED} (16, 32 or 64
 * lanes; a mask's lanes fit one {@code long}), so it is correct at whatever width the JVM compiles to.
 *
 * <p>Patterns of at least 2 bytes ({@link VectorByteScan} takes one byte).
 */
public final class VectorSearch implements ByteSearch {
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;

    private final byte[] pattern;
    private final int rare1;
    private final int rare2;
    /** Further offsets tested only in steps with candidates; -1 where the pattern is too short to have one. */
    private final int extra1;
    private final int extra2;

    /**
     * A search for {@code pattern}, its two rare bytes (and the two checked next) chosen now.
     *
     * @param pattern the bytes to find, at least two; copied
     * @throws IllegalArgumentException for a null pattern or one of fewer than 2 bytes
     */
    public VectorSearch(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        if (pattern.length < 2) {
            throw new IllegalArgumentException("VectorSearch needs a pattern of at least 2 bytes, got 1: use"
                    + " VectorByteScan (or ByteSearch.of(\"simd\", ...), which does)");
        }
        this.pattern = pattern.clone();
        int[] pair = rarePair(this.pattern);
        this.rare1 = pair[0];
        this.rare2 = pair[1];
        int[] extra = extraOffsets(this.pattern.length, rare1, rare2);
        this.extra1 = extra[0];
        this.extra2 = extra[1];
    }

    /**
     * Up to two offsets other than the pair: the first and the last offset not taken (the window's ends,
     * as Muła's first-and-last test), -1 if the pattern has no offset left.
     */
    static int[] extraOffsets(int m, int rare1, int rare2) {
        int lo = -1;
        int hi = -1;
        for (int j = 0; j < m; j++) {
            if (j != rare1 && j != rare2) {
                if (lo < 0) {
                    lo = j;
                }
                hi = j;
            }
        }
        return new int[] {lo, hi == lo ? -1 : hi};
    }

    /**
     * Two distinct offsets: the rarest byte's, and the rarest byte of another value (if the pattern has one;
     * else the first and last offsets). Ties go to the later offset: its byte ends the window, so its
     * mismatch rejects the most.
     */
    static int[] rarePair(byte[] p) {
        int first = 0;
        for (int j = 1; j < p.length; j++) {
            if (ByteFrequency.rank(p[j]) <= ByteFrequency.rank(p[first])) {
                first = j;
            }
        }
        int second = -1;
        for (int j = 0; j < p.length; j++) {
            if (p[j] != p[first] && (second < 0 || ByteFrequency.rank(p[j]) <= ByteFrequency.rank(p[second]))) {
                second = j;
            }
        }
        if (second < 0) {
            return new int[] {0, p.length - 1};
        }
        return new int[] {Math.min(first, second), Math.max(first, second)};
    }

    @Override
    public int patternLength() {
        return pattern.length;
    }

    /** The two offsets in the pattern the vector step tests (for tests and the README). */
    int[] testedOffsets() {
        return new int[] {rare1, rare2, extra1, extra2};
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        int m = pattern.length;
        long last = text.byteSize() - m;   // the last start a match can have
        int width = SPECIES.length();
        ByteVector byte1 = ByteVector.broadcast(SPECIES, pattern[rare1]);
        ByteVector byte2 = ByteVector.broadcast(SPECIES, pattern[rare2]);
        // a pattern without extra offsets tests its first byte again: always true where the pair matched
        int off3 = extra1 < 0 ? rare1 : extra1;
        int off4 = extra2 < 0 ? off3 : extra2;
        ByteVector byte3 = ByteVector.broadcast(SPECIES, pattern[off3]);
        ByteVector byte4 = ByteVector.broadcast(SPECIES, pattern[off4]);
        long i = from;
        for (; i <= last - width + 1; i += width) {
            ByteVector at1 = ByteVector.fromMemorySegment(SPECIES, text, i + rare1, ByteOrder.nativeOrder());
            ByteVector at2 = ByteVector.fromMemorySegment(SPECIES, text, i + rare2, ByteOrder.nativeOrder());
            VectorMask<Byte> pair = at1.eq(byte1).and(at2.eq(byte2));
            if (!pair.anyTrue()) {
                continue;
            }
            ByteVector at3 = ByteVector.fromMemorySegment(SPECIES, text, i + off3, ByteOrder.nativeOrder());
            ByteVector at4 = ByteVector.fromMemorySegment(SPECIES, text, i + off4, ByteOrder.nativeOrder());
            long candidates = pair.and(at3.eq(byte3)).and(at4.eq(byte4)).toLong();
            while (candidates != 0) {
                long at = i + Long.numberOfTrailingZeros(candidates);
                if (Patterns.matchesAt(text, at, pattern)) {
                    return at;
                }
                candidates &= candidates - 1;
            }
        }
        for (; i <= last; i++) {
            if (Patterns.matchesAt(text, i, pattern)) {
                return i;
            }
        }
        return -1;
    }
}
