package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/**
 * Exact search of one byte pattern in a byte text: the text is a {@code byte[]} or a {@link MemorySegment}
 * (a memory-mapped file of any size: offsets are {@code long}). Matches may overlap: in {@code aaaa} the
 * pattern {@code aa} occurs at 0, 1 and 2.
 *
 * <p>Offsets: {@code from} must be {@code >= 0} (a negative one throws {@link IllegalArgumentException});
 * an offset past the last place a match could start is simply "no match" ({@code -1}), as
 * {@link String#indexOf(String, int)} treats it. An instance holds only its pattern's tables and is
 * immutable, so any number of threads may share it.
 *
 * <p>{@link #of(String, byte[])} makes one by algorithm name; {@link #auto(byte[])} picks one.
 *
 * <p>Speed: the JIT compiles a search for the segment classes it has seen. A program that searches only
 * native (mapped or allocated) segments, or only arrays, gets the fastest code; one that mixes them in a hot
 * loop gets code for both, measured 3x slower for {@link VectorSearch} over a mapped 1 GB file after a
 * warm-up on arrays (0.12 s instead of 0.035 s). Copying into one kind of segment avoids it.
 */
public interface ByteSearch {

    /** The names {@link #of} knows. */
    java.util.List<String> ALGORITHMS = java.util.List.of("kmp", "bm", "horspool", "rk", "simd", "auto", "naive");

    /**
     * The pattern's length in bytes (at least 1).
     *
     * @return the length
     */
    int patternLength();

    /**
     * The first offset {@code >= from} where the pattern starts in {@code text[0, text.byteSize())}, or -1.
     *
     * @param text the text, a heap or native segment (read only)
     * @param from the first offset a match may start at, {@code >= 0}
     * @return the match's offset, or -1 when there is none
     * @throws IllegalArgumentException if {@code from < 0}
     */
    long indexOf(MemorySegment text, long from);

    /**
     * The first match at or after {@code from} in a heap array; see {@link #indexOf(MemorySegment, long)}.
     *
     * @param text the text
     * @param from the first offset a match may start at, {@code >= 0}
     * @return the match's offset, or -1 when there is none
     * @throws IllegalArgumentException if {@code from < 0}
     */
    default long indexOf(byte[] text, long from) {
        return indexOf(MemorySegment.ofArray(text), from);
    }

    /**
     * The first match in the whole text, or -1.
     *
     * @param text the text, a heap or native segment
     * @return the match's offset, or -1 when there is none
     */
    default long indexOf(MemorySegment text) {
        return indexOf(text, 0);
    }

    /**
     * The first match in the whole array, or -1.
     *
     * @param text the text
     * @return the match's offset, or -1 when there is none
     */
    default long indexOf(byte[] text) {
        return indexOf(MemorySegment.ofArray(text), 0);
    }

    /**
     * Calls {@code action} with every match's offset, in increasing order, overlapping ones included.
     *
     * @param text   the text, a heap or native segment
     * @param action called once per match, on this thread
     */
    default void forEach(MemorySegment text, LongConsumer action) {
        for (long at = indexOf(text, 0); at >= 0; at = indexOf(text, at + 1)) {
            action.accept(at);
        }
    }

    /**
     * Every match's offset, overlapping ones included (the count must fit in an array).
     *
     * @param text the text, a heap or native segment
     * @return the offsets in increasing order
     * @throws IllegalStateException if there are more matches than an array can hold
     */
    default long[] allMatches(MemorySegment text) {
        long[] out = new long[16];
        int[] n = {0};
        long[][] box = {out};
        forEach(text, at -> {
            if (n[0] == box[0].length) {
                if (box[0].length == Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("more than " + n[0] + " matches: use forEach or count");
                }
                box[0] = java.util.Arrays.copyOf(box[0], (int) Math.min(Integer.MAX_VALUE - 8L, 2L * box[0].length));
            }
            box[0][n[0]++] = at;
        });
        return java.util.Arrays.copyOf(box[0], n[0]);
    }

    /**
     * Every match's offset in a heap array.
     *
     * @param text the text
     * @return the offsets in increasing order
     */
    default long[] allMatches(byte[] text) {
        return allMatches(MemorySegment.ofArray(text));
    }

    /**
     * The number of matches, overlapping ones included.
     *
     * @param text the text, a heap or native segment
     * @return the count
     */
    default long count(MemorySegment text) {
        long n = 0;
        for (long at = indexOf(text, 0); at >= 0; at = indexOf(text, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * The number of matches in a heap array.
     *
     * @param text the text
     * @return the count
     */
    default long count(byte[] text) {
        return count(MemorySegment.ofArray(text));
    }

    /**
     * A search for {@code pattern} by algorithm name: {@code kmp} ({@link KnuthMorrisPratt}), {@code bm}
     * ({@link BoyerMoore}), {@code horspool} ({@link Horspool}), {@code rk} ({@link RabinKarp}), {@code simd}
     * ({@link VectorSearch}; a 1-byte pattern gets {@link VectorByteScan}), {@code auto} ({@link #auto}) or
     * {@code naive} ({@link NaiveSearch}, the reference). The pattern is copied.
     *
     * @param algorithm one of {@link #ALGORITHMS}
     * @param pattern   the bytes to find, at least one
     * @return the search, immutable
     * @throws IllegalArgumentException for an empty pattern or an unknown name
     */
    static ByteSearch of(String algorithm, byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        return switch (algorithm) {
            case "kmp" -> new KnuthMorrisPratt(pattern);
            case "bm" -> new BoyerMoore(pattern);
            case "horspool" -> new Horspool(pattern);
            case "rk" -> new RabinKarp(pattern);
            case "simd" -> pattern.length == 1 ? new VectorByteScan(pattern[0]) : new VectorSearch(pattern);
            case "auto" -> auto(pattern);
            case "naive" -> new NaiveSearch(pattern);
            default -> throw new IllegalArgumentException("unknown search algorithm '" + algorithm
                    + "': expected one of " + String.join(", ", ALGORITHMS));
        };
    }

    /**
     * The fastest search measured for this pattern (README, "Text search"): a 1-byte pattern is a vectorized
     * byte scan ({@link VectorByteScan}); any longer one is the packed-pair {@link VectorSearch}, which
     * outran every classic algorithm at every length measured (1 to 64) on English, DNA and random text.
     *
     * @param pattern the bytes to find, at least one; copied
     * @return the search, immutable
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    static ByteSearch auto(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        return pattern.length == 1 ? new VectorByteScan(pattern[0]) : new VectorSearch(pattern);
    }
}
