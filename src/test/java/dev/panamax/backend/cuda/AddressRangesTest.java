package dev.panamax.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class AddressRangesTest {
    @Test
    void containsOnlySpansInsideOneRange() {
        AddressRanges r = new AddressRanges();
        r.add(1000, 100);
        r.add(2000, 50);
        assertTrue(r.contains(1000, 100));
        assertTrue(r.contains(1040, 60));
        assertFalse(r.contains(1040, 61), "runs past the end");
        assertFalse(r.contains(999, 2), "starts before");
        assertFalse(r.contains(1100, 4), "the gap");
        assertFalse(r.contains(1090, 920), "spans two ranges and the gap");
        assertTrue(r.contains(2049, 1));
        assertTrue(r.contains(1100, 0), "an empty view at the end of a range");
        assertFalse(r.contains(1101, 0));
        assertFalse(r.contains(0, 4));
    }

    @Test
    void overlapIsRefusedAndRemovalForgets() {
        AddressRanges r = new AddressRanges();
        r.add(1000, 100);
        assertThrows(IllegalStateException.class, () -> r.add(1099, 10));
        assertThrows(IllegalStateException.class, () -> r.add(990, 11));
        assertThrows(IllegalArgumentException.class, () -> r.add(5000, 0));
        r.add(1100, 10); // adjacent is fine
        assertTrue(r.remove(1000));
        assertFalse(r.remove(1000));
        assertFalse(r.contains(1000, 4));
        assertTrue(r.contains(1100, 10));
        assertEquals(1, r.size());
    }

    /** Random adds and removes against a TreeMap model, past the initial capacity of 16. */
    @Test
    void agreesWithASimpleModel() {
        SplittableRandom rng = new SplittableRandom(3);
        AddressRanges r = new AddressRanges();
        TreeMap<Long, Long> model = new TreeMap<>();
        for (int step = 0; step < 2000; step++) {
            long start = rng.nextLong(100) * 64;
            long bytes = 1 + rng.nextLong(100);
            if (rng.nextBoolean()) {
                var below = model.floorEntry(start + bytes - 1);
                boolean overlaps = below != null && below.getKey() + below.getValue() > start;
                if (overlaps) {
                    assertThrows(IllegalStateException.class, () -> r.add(start, bytes));
                } else {
                    r.add(start, bytes);
                    model.put(start, bytes);
                }
            } else {
                assertEquals(model.remove(start) != null, r.remove(start));
            }
            long probe = rng.nextLong(6500);
            long len = rng.nextLong(80);
            var e = model.floorEntry(probe);
            boolean expected = e != null && (len == 0 ? probe <= e.getKey() + e.getValue()
                    : probe + len <= e.getKey() + e.getValue());
            assertEquals(expected, r.contains(probe, len), "probe " + probe + "+" + len + " in " + model);
            assertEquals(model.size(), r.size());
        }
    }
}
