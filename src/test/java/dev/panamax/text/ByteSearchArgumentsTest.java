package dev.panamax.text;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets an error that names the problem; the factory and the pattern tables behave as documented. */
class ByteSearchArgumentsTest {

    @Test
    void emptyPatternIsRefusedByEveryAlgorithm() {
        for (String a : ByteSearch.ALGORITHMS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSearch.of(a, new byte[0]));
            assertTrue(e.getMessage().contains("empty"), a + ": " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new RabinKarpSet(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new KnuthMorrisPratt(null));
    }

    @Test
    void negativeOffsetIsAnError() {
        for (String a : ByteSearch.ALGORITHMS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ByteSearch.of(a, "ab".getBytes()).indexOf("xxab".getBytes(), -1));
            assertTrue(e.getMessage().contains("-1"), a + ": " + e.getMessage());
        }
    }

    @Test
    void unknownAlgorithmIsNamedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSearch.of("kmpp", "a".getBytes()));
        assertTrue(e.getMessage().contains("'kmpp'") && e.getMessage().contains("horspool"), e.getMessage());
    }

    @Test
    void setOfUnequalLengthsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RabinKarpSet("abc".getBytes(), "ab".getBytes()));
        assertTrue(e.getMessage().contains("pattern 1 has 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, RabinKarpSet::new);
    }

    @Test
    void autoPicksTheByteScanForOneByteAndTheVectorSearchOtherwise() {
        assertEquals(VectorByteScan.class, ByteSearch.auto("x".getBytes()).getClass());
        assertEquals(VectorSearch.class, ByteSearch.auto("xy".getBytes()).getClass());
        assertThrows(IllegalArgumentException.class, () -> new VectorSearch("x".getBytes()));
    }

    @Test
    void thePatternIsCopied() {
        byte[] p = "abc".getBytes();
        ByteSearch s = ByteSearch.of("bm", p);
        p[0] = 'z';
        assertEquals(2, s.indexOf("xxabc".getBytes()));
    }

    @Test
    void prefixFunctionAndGoodSuffixTablesOfTextbookExamples() {
        // Cormen et al. Fig. 32.10: P = ababaca
        assertArrayEquals(new int[] {0, 0, 1, 2, 3, 0, 1}, KnuthMorrisPratt.prefixFunction("ababaca".getBytes()));
        // Charras & Lecroq's example x = GCAGAGAG: bmGs = 7 7 7 2 7 4 7 1
        assertArrayEquals(new int[] {7, 7, 7, 2, 7, 4, 7, 1}, BoyerMoore.goodSuffixShifts("GCAGAGAG".getBytes()));
        // and the definition itself on random patterns over a small alphabet
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] p = ByteSearchEquivalenceTest.random(rng, 1 + rng.nextInt(12), 1 + rng.nextInt(3));
            assertArrayEquals(goodSuffixByDefinition(p), BoyerMoore.goodSuffixShifts(p), new String(p));
        }
    }

    /**
     * The least shift s > 0 after a mismatch at j: every matched byte p[k], k > j, lands on an equal byte
     * (or off the pattern's left end), and p[j - s], if any, differs from p[j].
     */
    static int[] goodSuffixByDefinition(byte[] p) {
        int m = p.length;
        int[] shift = new int[m];
        for (int j = 0; j < m; j++) {
            for (int s = 1; ; s++) {
                boolean ok = j - s < 0 || p[j - s] != p[j];
                for (int k = j + 1; ok && k < m; k++) {
                    ok = k - s < 0 || p[k - s] == p[k];
                }
                if (ok || s == m) {
                    shift[j] = s;
                    break;
                }
            }
        }
        return shift;
    }

    @Test
    void vectorSearchTestsTwoDistinctRareBytes() {
        int[] pair = new VectorSearch("the zebra".getBytes()).testedOffsets();
        assertNotEquals(pair[0], pair[1]);
        // z is the rarest byte of "the zebra", b the next rarest; then the first and last offsets left
        assertArrayEquals(new int[] {4, 6, 0, 8}, pair);
        assertArrayEquals(new int[] {0, 3, 1, 2}, new VectorSearch("aaaa".getBytes()).testedOffsets());
        assertArrayEquals(new int[] {1, 2, 0, -1}, new VectorSearch("abc".getBytes()).testedOffsets());
        assertArrayEquals(new int[] {0, 1, -1, -1}, new VectorSearch("ab".getBytes()).testedOffsets());
    }

    @Test
    void countsOverlappingMatches() {
        MemorySegment text = MemorySegment.ofArray("aaaaa".getBytes());
        for (String a : ByteSearch.ALGORITHMS) {
            assertEquals(4, ByteSearch.of(a, "aa".getBytes()).count(text), a);
            assertEquals(5, ByteSearch.of(a, "a".getBytes()).count(text), a);
        }
    }
}
