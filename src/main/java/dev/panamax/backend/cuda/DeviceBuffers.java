package dev.panamax.backend.cuda;

import dev.panamax.backend.cuda.ffi.CudaDriver;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

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
    private record Range(long address, long bytes) {
    }

    private final CudaDriver cu;
    private final long limitBytes;
    private final Map<Range, Long> buffers = new HashMap<>();
    private long totalBytes;
    private long allocations;

    DeviceBuffers(CudaDriver cu, long limitBytes) {
        this.cu = cu;
        this.limitBytes = limitBytes;
    }

    /** The device address mirroring {@code host}; 0 for an empty segment (never dereferenced). */
    long of(MemorySegment host) {
        long bytes = host.byteSize();
        if (bytes == 0) {
            return 0;
        }
        Range key = new Range(host.address(), bytes);
        Long device = buffers.get(key);
        if (device != null) {
            return device;
        }
        long allocated = cu.memAlloc(bytes);
        buffers.put(key, allocated);
        totalBytes += bytes;
        allocations++;
        return allocated;
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
        for (long device : buffers.values()) {
            cu.memFree(device);
        }
        buffers.clear();
        totalBytes = 0;
    }

    @Override
    public void close() {
        freeAll();
    }
}
