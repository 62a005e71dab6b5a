package dev.panamax.text;

/**
 * A guess at how common each byte value is in the texts people search (English and other Latin-script
 * prose, source code, logs), for {@link VectorSearch}'s choice of the two bytes it tests: the rarer they
 * are, the fewer windows need verifying. The same idea as the rank table of Rust's memchr crate
 * ({@code memchr::arch::all::packedpair::default_rank}), with values of our own: the ranks only order
 * bytes, so a rough order suffices and a wrong one costs speed, never correctness.
 */
final class ByteFrequency {
    private static final int[] RANK = new int[256];

    static {
        // anything not named: control bytes and bytes >= 0x80, rare in ASCII text
        String byDescendingFrequency = " etaoinsrhldcumfpgwybv,.kTSAIM\nCxBPjWHDqRFELNGOz0J1\"-2'K;:()UV39586Y47?!X/QZ_=*<>[]{}#$%&+@\\^`|~\t";
        int n = byDescendingFrequency.length();
        for (int k = 0; k < n; k++) {
            RANK[byDescendingFrequency.charAt(k)] = 255 - k;
        }
        for (int c = 0; c < 256; c++) {
            if (RANK[c] == 0) {
                RANK[c] = c < 0x80 ? 20 : 10;
            }
        }
    }

    private ByteFrequency() {
    }

    /** Higher is more common; only the order means anything. */
    static int rank(byte b) {
        return RANK[b & 0xFF];
    }
}
