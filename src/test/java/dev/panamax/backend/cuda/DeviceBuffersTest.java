package dev.panamax.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The host-tensor mirror table with a counting stand-in for cuMemAlloc / cuMemFree. */
class DeviceBuffersTest {
    private long next = 0x7000_0000L;
    private final Set<Long> live = new HashSet<>();

    private long allocate(long bytes) {
        long address = next;
        next += (bytes + 255) & ~255L;
        live.add(address);
        return address;
    }

    private void free(long address) {
        assertTrue(live.remove(address), "freed twice or never allocated: " + address);
    }

    @Test
    void oneMirrorPerHostRangeReusedAcrossCallsAndGrowth() {
        DeviceBuffers buffers = new DeviceBuffers(this::allocate, this::free, Long.MAX_VALUE);
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> segments = new ArrayList<>();
            Map<MemorySegment, Long> first = new HashMap<>();
            for (int i = 0; i < 300; i++) { // past several doublings of the 64-slot table
                MemorySegment s = arena.allocate(64 + 4L * i, 64);
                segments.add(s);
                first.put(s, buffers.of(s));
            }
            assertEquals(300, buffers.allocations());
            assertEquals(300, live.size());
            for (MemorySegment s : segments) {
                assertEquals(first.get(s), buffers.of(s), "the same range maps to the same mirror");
            }
            MemorySegment whole = segments.get(5);
            long view = buffers.of(whole.asSlice(0, 32)); // same address, other size: its own mirror
            assertNotEquals(first.get(whole), view);
            assertEquals(301, buffers.allocations());
            assertEquals(0, buffers.of(whole.asSlice(0, 0)), "an empty segment needs no mirror");
            assertEquals(301, buffers.allocations());
        }
        buffers.close();
        assertTrue(live.isEmpty(), "close frees every mirror");
    }

    @Test
    void overTheLimitTrimFreesAllAndLookupsAllocateAgain() {
        DeviceBuffers buffers = new DeviceBuffers(this::allocate, this::free, 1000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(800, 64);
            MemorySegment b = arena.allocate(800, 64);
            buffers.of(a);
            buffers.trim();
            assertEquals(1, live.size(), "under the limit: kept");
            buffers.of(b);
            buffers.trim();
            assertEquals(0, live.size(), "over the limit: all freed");
            assertEquals(0, buffers.bytes());
            buffers.of(a);
            assertEquals(3, buffers.allocations());
            buffers.close();
            assertTrue(live.isEmpty());
        }
    }
}
