package dev.panamax.text;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every search against a brute-force reference written here (not {@link NaiveSearch}, which is checked
 * too): all matches, their count, and the next match from chosen offsets, on random texts over alphabets of
 * 2, 4 and 256 symbols, on adversarial texts, and at every alignment to a vector boundary. The pom runs this
 * class again at 128-bit and 256-bit vectors and with AVX2, so {@link VectorSearch}'s lanes and tail are
 * checked at each width.
 */
class ByteSearchEquivalenceTest {
    private static final List<String> ALGORITHMS = List.of("naive", "kmp", "bm", "horspool", "rk", "simd", "auto");

    /** All starts of pattern in text[0, n), by definition. */
    static long[] reference(byte[] text, byte[] pattern) {
        List<Long> out = new ArrayList<>();
        outer:
        for (int i = 0; i + pattern.length <= text.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (text[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            out.add((long) i);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long referenceNext(long[] matches, long from) {
        for (long at : matches) {
            if (at >= from) {
                return at;
            }
        }
        return -1;
    }

    /** Checks every algorithm (and the one-pattern RabinKarpSet) on one case; {@code what} names it on failure. */
    static void check(byte[] text, byte[] pattern, String what) {
        long[] expected = reference(text, pattern);
        List<ByteSearch> searches = new ArrayList<>();
        for (String a : ALGORITHMS) {
            searches.add(ByteSearch.of(a, pattern));
        }
        searches.add(new RabinKarpSet(pattern));
        MemorySegment heap = MemorySegment.ofArray(text);
        long[] froms = {0, 1, text.length / 3, text.length / 2 + 1, text.length - pattern.length,
                text.length - pattern.length + 1, text.length, text.length + 5, Long.MAX_VALUE};
        for (ByteSearch s : searches) {
            String name = what + ", " + s.getClass().getSimpleName();
            assertArrayEquals(expected, s.allMatches(text), name + ": all matches");
            assertEquals(expected.length, s.count(heap), name + ": count");
            assertEquals(expected.length == 0 ? -1 : expected[0], s.indexOf(text), name + ": first match");
            for (long from : froms) {
                if (from >= 0) {
                    assertEquals(referenceNext(expected, from), s.indexOf(heap, from), name + ": next from " + from);
                }
            }
        }
    }

    static byte[] random(SplittableRandom rng, int length, int alphabet) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ('a' + rng.nextInt(alphabet));
        }
        return b;
    }

    /** A pattern for a text: a piece of it (so it matches at least once) or random bytes (so it rarely does). */
    static byte[] patternFor(SplittableRandom rng, byte[] text, int m, int alphabet) {
        if (m <= text.length && rng.nextBoolean()) {
            int at = rng.nextInt(text.length - m + 1);
            return Arrays.copyOfRange(text, at, at + m);
        }
        return random(rng, m, alphabet);
    }

    @Test
    void randomTextsOnSmallAndLargeAlphabets() {
        SplittableRandom rng = new SplittableRandom(14);
        int[] lengths = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 129, 200, 300};
        for (int alphabet : new int[] {2, 4, 256}) {
            for (int m : lengths) {
                for (int trial = 0; trial < 3; trial++) {
                    byte[] text = random(rng, 1500 + rng.nextInt(700), alphabet);
                    check(text, patternFor(rng, text, m, alphabet), "alphabet " + alphabet + ", m=" + m + ", trial " + trial);
                }
            }
        }
    }

    @Test
    void adversarialTexts() {
        for (int m : new int[] {1, 2, 3, 5, 8, 17, 64, 65, 150, 300}) {
            byte[] aaa = new byte[1000];
            Arrays.fill(aaa, (byte) 'a');
            byte[] aab = aaa.clone();
            byte[] pattern = Arrays.copyOf(aaa, m);
            pattern[m - 1] = 'b';
            check(aaa, pattern, "a^(m-1)b in a^1000, m=" + m);   // no match, the naive worst case
            check(aaa, Arrays.copyOf(aaa, m), "a^m in a^1000, m=" + m); // every position matches
            aab[999] = 'b';
            check(aab, pattern, "a^(m-1)b at the very end, m=" + m);
            byte[] baa = aaa.clone();
            baa[0] = 'b';
            byte[] bFirst = Arrays.copyOf(aaa, m);
            bFirst[0] = 'b';
            check(baa, bFirst, "ba^(m-1) at offset 0, m=" + m);
        }
        // periodic patterns in periodic texts: the cases KMP's and Boyer-Moore's shift tables exist for
        for (String period : new String[] {"ab", "aab", "abc", "abaab", "abacaba"}) {
            String text = period.repeat(600 / period.length()) + "x";
            for (int m : new int[] {2, 3, 5, 7, 11, 40, 101}) {
                String p = period.repeat(m / period.length() + 1).substring(0, m);
                check(text.getBytes(), p.getBytes(), "period " + period + ", m=" + m);
                check(text.getBytes(), (p.substring(0, m - 1) + "x").getBytes(), "period " + period + " then x, m=" + m);
            }
        }
    }

    @Test
    void matchesAtEveryPositionAcrossVectorBoundaries() {
        // a match at 0..130 in texts ending 0..64 bytes after it: every lane of a 16-, 32- and 64-byte vector,
        // the first vector, a vector boundary, the scalar tail, and the text's last byte
        for (int m : new int[] {1, 2, 3, 7, 16, 33}) {
            byte[] pattern = new byte[m];
            for (int j = 0; j < m; j++) {
                pattern[j] = (byte) ('A' + j % 26);
            }
            for (int at = 0; at <= 130; at++) {
                for (int after = 0; after <= 64; after += (after < 3 ? 1 : 7)) {
                    byte[] text = new byte[at + m + after];
                    Arrays.fill(text, (byte) 'z');
                    System.arraycopy(pattern, 0, text, at, m);
                    long[] expected = {at};
                    for (String a : ALGORITHMS) {
                        ByteSearch s = ByteSearch.of(a, pattern);
                        assertArrayEquals(expected, s.allMatches(text), a + ", m=" + m + " at " + at + " of " + text.length);
                        assertEquals(-1, s.indexOf(text, at + 1), a + ", m=" + m + " after " + at);
                    }
                }
            }
        }
    }

    @Test
    void emptyAndShortTextsAndOffsetsPastTheEnd() {
        for (String a : ALGORITHMS) {
            for (int m : new int[] {1, 2, 5, 70}) {
                ByteSearch s = ByteSearch.of(a, "abcdefghij".repeat(7).substring(0, m).getBytes());
                assertEquals(-1, s.indexOf(new byte[0]), a + " on the empty text");
                assertEquals(0, s.count(new byte[0]), a + " count on the empty text");
                assertEquals(-1, s.indexOf(new byte[m - 1], 0), a + ": pattern longer than text");
                assertEquals(-1, s.indexOf("abcdefghij".repeat(7).getBytes(), 71), a + ": offset past the end");
                assertEquals(-1, s.indexOf(new byte[100], Long.MAX_VALUE), a + ": offset Long.MAX_VALUE");
            }
        }
    }

    @Test
    void nativeAndUnalignedSegmentsGiveTheSameAnswers() {
        SplittableRandom rng = new SplittableRandom(7);
        byte[] text = random(rng, 5000, 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(text.length + 8);
            for (int shift = 0; shift < 8; shift++) {
                MemorySegment slice = whole.asSlice(shift, text.length);
                MemorySegment.copy(text, 0, slice, ValueLayout.JAVA_BYTE, 0, text.length);
                for (int m : new int[] {1, 2, 6, 9, 40}) {
                    byte[] pattern = patternFor(rng, text, m, 4);
                    long[] expected = reference(text, pattern);
                    for (String a : ALGORITHMS) {
                        assertArrayEquals(expected, ByteSearch.of(a, pattern).allMatches(slice),
                                a + " on a native segment at +" + shift + ", m=" + m);
                    }
                }
            }
        }
    }

    @Test
    void rabinKarpSetFindsTheFirstOfAnyPattern() {
        SplittableRandom rng = new SplittableRandom(99);
        for (int alphabet : new int[] {2, 4, 256}) {
            for (int m : new int[] {1, 3, 8, 20}) {
                for (int k : new int[] {1, 2, 5, 40}) {
                    byte[] text = random(rng, 3000, alphabet);
                    byte[][] set = new byte[k][];
                    for (int p = 0; p < k; p++) {
                        set[p] = patternFor(rng, text, m, alphabet);
                    }
                    RabinKarpSet rk = new RabinKarpSet(set);
                    List<long[]> each = Arrays.stream(set).map(p -> reference(text, p)).toList();
                    long[] expected = each.stream().flatMapToLong(Arrays::stream).distinct().sorted().toArray();
                    String what = "alphabet " + alphabet + ", m=" + m + ", " + k + " patterns";
                    assertArrayEquals(expected, rk.allMatches(text), what);
                    for (long at : expected) {
                        int p = rk.patternAt(MemorySegment.ofArray(text), at);
                        assertEquals(at, referenceNext(each.get(p), at), what + ": pattern " + p + " does not start at " + at);
                        for (int q = 0; q < p; q++) {
                            assertTrue(Arrays.binarySearch(each.get(q), at) < 0, what + ": a lower pattern " + q + " starts at " + at);
                        }
                    }
                }
            }
        }
    }

    /**
     * Many random cases, each from its own seed: a failure names the seed, and
     * {@code new SplittableRandom(seed)} in {@link #oneRandomCase} replays it.
     */
    @Test
    void propertyOverManySeeds() {
        for (long seed = 0; seed < 400; seed++) {
            try {
                oneRandomCase(seed);
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + " (replay with oneRandomCase(" + seed + "L)): " + e.getMessage(), e);
            }
        }
    }

    static void oneRandomCase(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int alphabet = new int[] {2, 3, 4, 26, 256}[rng.nextInt(5)];
        byte[] text = random(rng, rng.nextInt(1200), alphabet);
        int m = 1 + (rng.nextBoolean() ? rng.nextInt(12) : rng.nextInt(300));
        check(text, patternFor(rng, text, m, alphabet), "alphabet " + alphabet + ", n=" + text.length + ", m=" + m);
    }
}
