package dev.panamax.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Checks and small helpers the searches share: one place for the argument errors' wording. */
final class Patterns {
    private Patterns() {
    }

    static void requireNonEmpty(byte[] pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("search pattern is null");
        }
        if (pattern.length == 0) {
            throw new IllegalArgumentException("search pattern is empty: an empty pattern matches everywhere,"
                    + " so no search is defined for it");
        }
    }

    static void requireOffset(long from) {
        if (from < 0) {
            throw new IllegalArgumentException("search offset must be >= 0, got " + from);
        }
    }

    /** True if {@code pattern} occurs in {@code text} at {@code at} (the caller has checked it fits). */
    static boolean matchesAt(MemorySegment text, long at, byte[] pattern) {
        for (int j = 0; j < pattern.length; j++) {
            if (text.get(ValueLayout.JAVA_BYTE, at + j) != pattern[j]) {
                return false;
            }
        }
        return true;
    }
}
