package dev.panamax.text;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A one-byte pattern, found with the Vector API: compare a vector of text bytes with the byte broadcast to
 * every lane, and take the first lane that is equal (memchr's method). {@link #count} adds up the equal
 * lanes instead. The vector is {@link ByteVector#SPECIES_PREFERRED} (16, 32 or 64 bytes, whatever this JVM
 * compiles to); the bytes after the last whole vector are compared one by one.
 *
 * <p>Invariant: no match starts in {@code [from, i)}.
 */
public final class VectorByteScan implements ByteSearch {
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;

    private final byte needle;

    /**
     * A search for one byte.
     *
     * @param needle the byte to find
     */
    public VectorByteScan(byte needle) {
        this.needle = needle;
    }

    @Override
    public int patternLength() {
        return 1;
    }

    @Override
    public long indexOf(MemorySegment text, long from) {
        Patterns.requireOffset(from);
        long n = text.byteSize();
        int width = SPECIES.length();
        ByteVector target = ByteVector.broadcast(SPECIES, needle);
        long i = from;
        for (; i <= n - width; i += width) {
            VectorMask<Byte> eq = ByteVector.fromMemorySegment(SPECIES, text, i, ByteOrder.nativeOrder()).eq(target);
            if (eq.anyTrue()) {
                return i + eq.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (text.get(ValueLayout.JAVA_BYTE, i) == needle) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public long count(MemorySegment text) {
        long n = text.byteSize();
        int width = SPECIES.length();
        ByteVector target = ByteVector.broadcast(SPECIES, needle);
        long total = 0;
        long i = 0;
        for (; i <= n - width; i += width) {
            total += ByteVector.fromMemorySegment(SPECIES, text, i, ByteOrder.nativeOrder()).eq(target).trueCount();
        }
        for (; i < n; i++) {
            if (text.get(ValueLayout.JAVA_BYTE, i) == needle) {
                total++;
            }
        }
        return total;
    }
}
