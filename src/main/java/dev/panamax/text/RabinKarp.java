package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Rabin–Karp (R. M. Karp, M. O. Rabin, "Efficient randomized pattern-matching algorithms", IBM J. Res.
 * Dev. 31(2), 1987) with a polynomial rolling hash.
 *
 * <p>Invariant: at window {@code i}, {@code h = sum text[i+k]·B^(m-1-k)} over {@code k < m}, modulo 2^64 (the
 * arithmetic of {@code long}, which wraps); moving the window subtracts the outgoing byte times
 * {@code B^(m-1)}, multiplies by {@code B} and adds the incoming byte. A window whose hash equals the
 * pattern's is compared byte by byte, so a collision costs time, never a wrong answer. Modulo 2^64 rather
 * than a prime keeps the step to two multiplications; its known weakness (Thue–Morse strings collide, see
 * Pachocki and Radoszewski, "Where to use and how not to use polynomial string hashing", 2013) makes such
 * texts slow, not wrong. The base is odd and large, so short windows do not collide by construction.
 */
public final class RabinKarp implements ByteSearch {
    /** The hash's base: odd (invertible modulo 2^64) with well-mixed bits. */
    static final long BASE = 0x9E3779B97F4A7C15L | 1L;

    private final byte[] pattern;
    private final long patternHash;
    /** BASE^(m-1) modulo 2^64: the weight of the byte leaving the window. */
    private final long outWeight;

    /**
     * A search for {@code pattern}, its hash computed now.
     *
     * @param pattern the bytes to find, at least one; copied
     * @throws IllegalArgumentException if the pattern is null or empty
     */
    public RabinKarp(byte[] pattern) {
        Patterns.requireNonEmpty(pattern);
        this.pattern = pattern.clone();
        this.patternHash = hash(pattern);
        this.outWeight = power(pattern.length - 1);
    }

    static long hash(byte[] bytes) {
        long h = 0;
        for (byte b : bytes) {
            h = h * BASE + (b & 0xFF);
        }
        return h;
    }

    static long power(int exponent) {
        long p = 1;
        for (int k = 0; k < exponent; k++) {
            p *= BASE;
        }
        return p;
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
        if (from > last) {
            return -1;
        }
        long h = 0;
        for (int k = 0; k < m; k++) {
            h = h * BASE + (text.get(ValueLayout.JAVA_BYTE, from + k) & 0xFF);
        }
        for (long i = from; ; i++) {
            if (h == patternHash && Patterns.matchesAt(text, i, pattern)) {
                return i;
            }
            if (i == last) {
                return -1;
            }
            int out = text.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            int in = text.get(ValueLayout.JAVA_BYTE, i + m) & 0xFF;
            h = (h - out * outWeight) * BASE + in;
        }
    }
}
