package dev.panamax.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Device memory mirroring host tensors: one device buffer per distinct host storage range (address
 * and byte size), allocated on first use and reused by every later call, so a training loop that
 * reuses its tensors allocates no device memory after its first step.
 *
 * <p>A buffer is scratch, never a cache of values: the backend copies every input to it before each
 * use, so a host range that was freed and reused by another tensor is still computed correctly.
 * Views of one tensor with other bounds get their own buffers (the host copy is the truth).
 *
 * <p>Bounded: when the buffers together exceed the limit after a call, all are freed, and the next
 * calls allocate again. That only happens when a program keeps making new tensors (new arenas at new
 * addresses), where the allocations were happening anyway.
 */
final class DeviceBuffers implements AutoCloseable {
    private final LongUnaryOperator allocate;
    private final LongConsumer free;
    private final long limitBytes;
    // An open-addressing table keyed on (host address, byte size), so that a lookup allocates nothing
    // (a record key in a HashMap would be a new object per call). Linear probing, at most half full.
    private long[] addresses = new long[64];
    private long[] sizes = new long[64];
    private long[] devices = new long[64];
    private int count;
    private long totalBytes;
    private long allocations;

    /** {@code allocate}: bytes to a device address ({@code cuMemAlloc}); {@code free}: its inverse. */
    DeviceBuffers(LongUnaryOperator allocate, LongConsumer free, long limitBytes) {
        this.allocate = allocate;
        this.free = free;
        this.limitBytes = limitBytes;
    }

    /** The device address mirroring {@code host}; 0 for an empty segment (never dereferenced). */
    long of(MemorySegment host) {
        long bytes = host.byteSize();
        if (bytes == 0) {
            return 0;
        }
        long address = host.address();
        int slot = find(address, bytes);
        if (sizes[slot] != 0) {
            return devices[slot];
        }
        long allocated = allocate.applyAsLong(bytes);
        addresses[slot] = address;
        sizes[slot] = bytes;
        devices[slot] = allocated;
        count++;
        totalBytes += bytes;
        allocations++;
        if (2 * count > addresses.length) {
            grow();
        }
        return allocated;
    }

    /** The slot holding (address, bytes), or the empty slot (size 0) where it would go. */
    private int find(long address, long bytes) {
        int mask = addresses.length - 1;
        int slot = (int) (mix(address * 31 + bytes) & mask);
        while (sizes[slot] != 0 && (addresses[slot] != address || sizes[slot] != bytes)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Spreads 64-byte-aligned addresses over the table (their low bits are all zero). */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        return x ^ (x >>> 33);
    }

    private void grow() {
        long[] oldAddresses = addresses;
        long[] oldSizes = sizes;
        long[] oldDevices = devices;
        addresses = new long[oldAddresses.length * 2];
        sizes = new long[oldAddresses.length * 2];
        devices = new long[oldAddresses.length * 2];
        for (int i = 0; i < oldAddresses.length; i++) {
            if (oldSizes[i] != 0) {
                int slot = find(oldAddresses[i], oldSizes[i]);
                addresses[slot] = oldAddresses[i];
                sizes[slot] = oldSizes[i];
                devices[slot] = oldDevices[i];
            }
        }
    }

    /** Frees everything when over the limit; call only when the stream is idle (after a synchronisation). */
    void trim() {
        if (totalBytes > limitBytes) {
            freeAll();
        }
    }

    /** Device bytes held now. */
    long bytes() {
        return totalBytes;
    }

    /** cuMemAlloc calls so far (a steady-state loop keeps this constant). */
    long allocations() {
        return allocations;
    }

    private void freeAll() {
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] != 0) {
                free.accept(devices[i]);
                sizes[i] = 0;
            }
        }
        count = 0;
        totalBytes = 0;
    }

    @Override
    public void close() {
        freeAll();
    }
}
