package dev.panamax.backend.cuda.ffi;

import dev.panamax.backend.cuda.ffi.generated.driver.cuda_functions;
import dev.panamax.backend.cuda.ffi.generated.driver.cuda_h;
import dev.panamax.backend.ffi.MissingSymbolsException;
import dev.panamax.backend.ffi.Symbols;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The typed layer over the jextract bindings in {@code generated.driver}: downcall handles for the CUDA
 * driver API functions that {@code native/include/panamax_cuda_functions.h} names, made with the
 * descriptors jextract generated from the CUDA toolkit's {@code <cuda.h>} (see the package doc), and
 * bound from one {@code libcuda.so.1} chosen at run time. Every method checks the {@code CUresult} and throws
 * {@link CudaException} with the driver's own name and description of a failure.
 *
 * <p>Types: {@code CUdeviceptr} and {@code size_t} are Java {@code long}; opaque handles (context,
 * stream, event, module, function) are {@link MemorySegment} addresses; {@code CUdevice} is an int.
 * Out-parameters live in a confined arena for the length of one call; those calls (init, allocation,
 * creation) are rare, while the per-kernel calls (copies, launches, synchronisation) take none.
 *
 * <p>All handles are plain downcalls: copies, launches and synchronisation may block for as long as
 * the GPU is busy, which a {@code Linker.Option.critical} call must never do.
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose; run with --enable-native-access
public final class CudaDriver {
    /** The functions bound, in header order; all are required (the driver has exported them since CUDA 11). */
    public static final List<String> REQUIRED_SYMBOLS = List.of(
            "cuGetErrorName", "cuGetErrorString", "cuInit", "cuDriverGetVersion", "cuDeviceGetCount",
            "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute", "cuDeviceTotalMem_v2",
            "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent",
            "cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2",
            "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2", "cuMemAllocManaged", "cuMemcpyDtoDAsync_v2",
            "cuMemsetD32Async",
            "cuStreamCreate", "cuStreamDestroy_v2", "cuStreamSynchronize",
            "cuEventCreate", "cuEventDestroy_v2", "cuEventRecord", "cuEventSynchronize", "cuEventElapsedTime",
            "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction", "cuLaunchKernel");

    public static final int CUDA_SUCCESS = cuda_h.CUDA_SUCCESS();
    public static final int CUDA_ERROR_NO_DEVICE = cuda_h.CUDA_ERROR_NO_DEVICE();
    public static final int CU_STREAM_NON_BLOCKING = cuda_h.CU_STREAM_NON_BLOCKING();
    public static final int CU_EVENT_DEFAULT = cuda_h.CU_EVENT_DEFAULT();
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = cuda_h.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT();
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR();
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR();
    public static final int CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY = cuda_h.CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY();
    public static final int CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS = cuda_h.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS();
    public static final int CU_MEM_ATTACH_GLOBAL = cuda_h.CU_MEM_ATTACH_GLOBAL();

    /** Device names are at most 256 bytes in every driver (cudaDeviceProp.name is char[256]). */
    private static final int NAME_BYTES = 256;
    /** Error names and descriptions are static strings of a few dozen bytes. */
    private static final long MAX_STRING_BYTES = 4096;

    private final MethodHandle getErrorName;
    private final MethodHandle getErrorString;
    private final MethodHandle init;
    private final MethodHandle driverGetVersion;
    private final MethodHandle deviceGetCount;
    private final MethodHandle deviceGet;
    private final MethodHandle deviceGetName;
    private final MethodHandle deviceGetAttribute;
    private final MethodHandle deviceTotalMem;
    private final MethodHandle primaryCtxRetain;
    private final MethodHandle primaryCtxRelease;
    private final MethodHandle ctxSetCurrent;
    private final MethodHandle memAlloc;
    private final MethodHandle memFree;
    private final MethodHandle memcpyHtoD;
    private final MethodHandle memcpyDtoH;
    private final MethodHandle memcpyHtoDAsync;
    private final MethodHandle memcpyDtoHAsync;
    private final MethodHandle memAllocManaged;
    private final MethodHandle memcpyDtoDAsync;
    private final MethodHandle memsetD32Async;
    private final MethodHandle streamCreate;
    private final MethodHandle streamDestroy;
    private final MethodHandle streamSynchronize;
    private final MethodHandle eventCreate;
    private final MethodHandle eventDestroy;
    private final MethodHandle eventRecord;
    private final MethodHandle eventSynchronize;
    private final MethodHandle eventElapsedTime;
    private final MethodHandle moduleLoadData;
    private final MethodHandle moduleUnload;
    private final MethodHandle moduleGetFunction;
    private final MethodHandle launchKernel;
    private final MemorySegment initAddress;
    private final Map<String, FunctionDescriptor> bound = new LinkedHashMap<>();

    private CudaDriver(SymbolLookup lookup) {
        getErrorName = bind(lookup, "cuGetErrorName", cuda_functions.cuGetErrorName.descriptor());
        getErrorString = bind(lookup, "cuGetErrorString", cuda_functions.cuGetErrorString.descriptor());
        initAddress = lookup.findOrThrow("cuInit");
        bound.put("cuInit", cuda_functions.cuInit.descriptor());
        init = Symbols.LINKER.downcallHandle(initAddress, cuda_functions.cuInit.descriptor());
        driverGetVersion = bind(lookup, "cuDriverGetVersion", cuda_functions.cuDriverGetVersion.descriptor());
        deviceGetCount = bind(lookup, "cuDeviceGetCount", cuda_functions.cuDeviceGetCount.descriptor());
        deviceGet = bind(lookup, "cuDeviceGet", cuda_functions.cuDeviceGet.descriptor());
        deviceGetName = bind(lookup, "cuDeviceGetName", cuda_functions.cuDeviceGetName.descriptor());
        deviceGetAttribute = bind(lookup, "cuDeviceGetAttribute", cuda_functions.cuDeviceGetAttribute.descriptor());
        deviceTotalMem = bind(lookup, "cuDeviceTotalMem_v2", cuda_functions.cuDeviceTotalMem_v2.descriptor());
        primaryCtxRetain = bind(lookup, "cuDevicePrimaryCtxRetain", cuda_functions.cuDevicePrimaryCtxRetain.descriptor());
        primaryCtxRelease = bind(lookup, "cuDevicePrimaryCtxRelease_v2",
                cuda_functions.cuDevicePrimaryCtxRelease_v2.descriptor());
        ctxSetCurrent = bind(lookup, "cuCtxSetCurrent", cuda_functions.cuCtxSetCurrent.descriptor());
        memAlloc = bind(lookup, "cuMemAlloc_v2", cuda_functions.cuMemAlloc_v2.descriptor());
        memFree = bind(lookup, "cuMemFree_v2", cuda_functions.cuMemFree_v2.descriptor());
        memcpyHtoD = bind(lookup, "cuMemcpyHtoD_v2", cuda_functions.cuMemcpyHtoD_v2.descriptor());
        memcpyDtoH = bind(lookup, "cuMemcpyDtoH_v2", cuda_functions.cuMemcpyDtoH_v2.descriptor());
        memcpyHtoDAsync = bind(lookup, "cuMemcpyHtoDAsync_v2", cuda_functions.cuMemcpyHtoDAsync_v2.descriptor());
        memcpyDtoHAsync = bind(lookup, "cuMemcpyDtoHAsync_v2", cuda_functions.cuMemcpyDtoHAsync_v2.descriptor());
        memAllocManaged = bind(lookup, "cuMemAllocManaged", cuda_functions.cuMemAllocManaged.descriptor());
        memcpyDtoDAsync = bind(lookup, "cuMemcpyDtoDAsync_v2", cuda_functions.cuMemcpyDtoDAsync_v2.descriptor());
        memsetD32Async = bind(lookup, "cuMemsetD32Async", cuda_functions.cuMemsetD32Async.descriptor());
        streamCreate = bind(lookup, "cuStreamCreate", cuda_functions.cuStreamCreate.descriptor());
        streamDestroy = bind(lookup, "cuStreamDestroy_v2", cuda_functions.cuStreamDestroy_v2.descriptor());
        streamSynchronize = bind(lookup, "cuStreamSynchronize", cuda_functions.cuStreamSynchronize.descriptor());
        eventCreate = bind(lookup, "cuEventCreate", cuda_functions.cuEventCreate.descriptor());
        eventDestroy = bind(lookup, "cuEventDestroy_v2", cuda_functions.cuEventDestroy_v2.descriptor());
        eventRecord = bind(lookup, "cuEventRecord", cuda_functions.cuEventRecord.descriptor());
        eventSynchronize = bind(lookup, "cuEventSynchronize", cuda_functions.cuEventSynchronize.descriptor());
        // cuda.h 13 maps the name to _v2 (added in 12.8, same signature); older drivers export only the original
        String elapsed = lookup.find("cuEventElapsedTime_v2").isPresent() ? "cuEventElapsedTime_v2" : "cuEventElapsedTime";
        eventElapsedTime = bind(lookup, elapsed, cuda_functions.cuEventElapsedTime_v2.descriptor());
        moduleLoadData = bind(lookup, "cuModuleLoadData", cuda_functions.cuModuleLoadData.descriptor());
        moduleUnload = bind(lookup, "cuModuleUnload", cuda_functions.cuModuleUnload.descriptor());
        moduleGetFunction = bind(lookup, "cuModuleGetFunction", cuda_functions.cuModuleGetFunction.descriptor());
        launchKernel = bind(lookup, "cuLaunchKernel", cuda_functions.cuLaunchKernel.descriptor());
    }

    // a handle of the descriptor jextract generated from <cuda.h>, recorded for descriptors() (the tests')
    private MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        bound.put(name, descriptor);
        return Symbols.bind(lookup, name, descriptor);
    }

    /** Each bound function's exported name and the descriptor its handle was made with, in binding order. */
    public Map<String, FunctionDescriptor> descriptors() {
        return Collections.unmodifiableMap(bound);
    }

    /**
     * Binds the driver functions from {@code lookup} (nothing is called yet, not even cuInit).
     *
     * @throws MissingSymbolsException naming every required function the library lacks
     */
    public static CudaDriver bind(SymbolLookup lookup) {
        Symbols.requireAll(lookup, REQUIRED_SYMBOLS);
        return new CudaDriver(lookup);
    }

    /** The address of {@code cuInit}, to find which file the driver was loaded from. */
    public MemorySegment initAddress() {
        return initAddress;
    }

    // ---------------------------------------------------------------- errors

    /** {@code cuGetErrorName}, e.g. "CUDA_ERROR_NO_DEVICE", or "CUresult N" for a code the driver does not know. */
    public String errorName(int status) {
        return errorText(getErrorName, status).orElse("CUresult " + status);
    }

    /** {@code cuGetErrorString}: the driver's sentence for a status, or empty text for an unknown code. */
    public String errorString(int status) {
        return errorText(getErrorString, status).orElse("");
    }

    private static java.util.Optional<String> errorText(MethodHandle handle, int status) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) handle.invokeExact(status, out);
            MemorySegment text = out.get(ADDRESS, 0);
            if (rc != CUDA_SUCCESS || text.equals(MemorySegment.NULL)) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(text.reinterpret(MAX_STRING_BYTES).getString(0));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    private void check(String call, int status) {
        if (status != CUDA_SUCCESS) {
            String text = errorString(status);
            throw new CudaException(call, status, errorName(status) + " (" + status + ")" + (text.isEmpty() ? "" : ": " + text));
        }
    }

    // ---------------------------------------------------------------- initialisation and devices

    /** {@code cuInit(0)}: must precede every other call but the error texts. */
    public void init() {
        try {
            check("cuInit", (int) init.invokeExact(0));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuDriverGetVersion}: 1000 * major + 10 * minor, e.g. 12040 for CUDA 12.4. */
    public int driverVersion() {
        return intOut("cuDriverGetVersion", driverGetVersion);
    }

    /** {@code cuDeviceGetCount}. */
    public int deviceCount() {
        return intOut("cuDeviceGetCount", deviceGetCount);
    }

    private int intOut(String call, MethodHandle handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check(call, (int) handle.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuDeviceGet}: the device handle of an ordinal. */
    public int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGet", (int) deviceGet.invokeExact(out, ordinal));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuDeviceGetName}, e.g. "NVIDIA H200". */
    public String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(NAME_BYTES);
            check("cuDeviceGetName", (int) deviceGetName.invokeExact(out, NAME_BYTES, device));
            return out.getString(0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuDeviceGetAttribute} (CU_DEVICE_ATTRIBUTE_* constants above). */
    public int attribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", (int) deviceGetAttribute.invokeExact(out, attribute, device));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuDeviceTotalMem_v2}: device memory in bytes. */
    public long totalMemory(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", (int) deviceTotalMem.invokeExact(out, device));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- primary context

    /** {@code cuDevicePrimaryCtxRetain}: the device's shared context (the one the runtime API and cuBLAS use). */
    public MemorySegment primaryContextRetain(int device) {
        return handleOut("cuDevicePrimaryCtxRetain", primaryCtxRetain, device);
    }

    /** {@code cuDevicePrimaryCtxRelease_v2}: one release per retain. */
    public void primaryContextRelease(int device) {
        try {
            check("cuDevicePrimaryCtxRelease_v2", (int) primaryCtxRelease.invokeExact(device));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuCtxSetCurrent}: binds the context to the calling thread. */
    public void setCurrent(MemorySegment context) {
        try {
            check("cuCtxSetCurrent", (int) ctxSetCurrent.invokeExact(context));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    private MemorySegment handleOut(String call, MethodHandle handle, int argument) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check(call, (int) handle.invokeExact(out, argument));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- memory

    /** {@code cuMemAlloc_v2}: {@code bytes} (> 0) of device memory, 256-byte aligned; returns the device address. */
    public long memAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check("cuMemAlloc_v2", (int) memAlloc.invokeExact(out, bytes));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemFree_v2}. */
    public void memFree(long devicePointer) {
        try {
            check("cuMemFree_v2", (int) memFree.invokeExact(devicePointer));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemcpyHtoD_v2}: synchronous copy of {@code bytes} from host to device. */
    public void copyToDevice(long dst, MemorySegment src, long bytes) {
        try {
            check("cuMemcpyHtoD_v2", (int) memcpyHtoD.invokeExact(dst, src, bytes));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoH_v2}: synchronous copy of {@code bytes} from device to host. */
    public void copyToHost(MemorySegment dst, long src, long bytes) {
        try {
            check("cuMemcpyDtoH_v2", (int) memcpyDtoH.invokeExact(dst, src, bytes));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /**
     * {@code cuMemcpyHtoDAsync_v2}, ordered on {@code stream}. From pageable memory the driver stages
     * the data before returning, so the host segment may be reused as soon as this returns.
     */
    public void copyToDeviceAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check("cuMemcpyHtoDAsync_v2", (int) memcpyHtoDAsync.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoHAsync_v2}, ordered on {@code stream}: the host data is valid after the stream synchronises. */
    public void copyToHostAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check("cuMemcpyDtoHAsync_v2", (int) memcpyDtoHAsync.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /**
     * {@code cuMemAllocManaged} with {@link #CU_MEM_ATTACH_GLOBAL}: {@code bytes} (> 0) of unified memory,
     * one address valid on the host and on every device; pages migrate to whichever side touches them.
     */
    public long memAllocManaged(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check("cuMemAllocManaged", (int) memAllocManaged.invokeExact(out, bytes, CU_MEM_ATTACH_GLOBAL));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoDAsync_v2}: device (or managed) to device, ordered on {@code stream}. */
    public void copyDeviceToDeviceAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check("cuMemcpyDtoDAsync_v2", (int) memcpyDtoDAsync.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuMemsetD32Async}: {@code count} 32-bit words at {@code dst} set to {@code bits}, ordered on {@code stream}. */
    public void memsetD32Async(long dst, int bits, long count, MemorySegment stream) {
        try {
            check("cuMemsetD32Async", (int) memsetD32Async.invokeExact(dst, bits, count, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- streams and events

    /** {@code cuStreamCreate} (flags: {@link #CU_STREAM_NON_BLOCKING} or 0). */
    public MemorySegment streamCreate(int flags) {
        return handleOut("cuStreamCreate", streamCreate, flags);
    }

    /** {@code cuStreamDestroy_v2}. */
    public void streamDestroy(MemorySegment stream) {
        call("cuStreamDestroy_v2", streamDestroy, stream);
    }

    /** {@code cuStreamSynchronize}: waits for all work queued on the stream; reports a failed kernel. */
    public void streamSynchronize(MemorySegment stream) {
        call("cuStreamSynchronize", streamSynchronize, stream);
    }

    /** {@code cuEventCreate} (flags: {@link #CU_EVENT_DEFAULT} records timing). */
    public MemorySegment eventCreate(int flags) {
        return handleOut("cuEventCreate", eventCreate, flags);
    }

    /** {@code cuEventDestroy_v2}. */
    public void eventDestroy(MemorySegment event) {
        call("cuEventDestroy_v2", eventDestroy, event);
    }

    /** {@code cuEventRecord}: marks the point in the stream's queue. */
    public void eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            check("cuEventRecord", (int) eventRecord.invokeExact(event, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuEventSynchronize}. */
    public void eventSynchronize(MemorySegment event) {
        call("cuEventSynchronize", eventSynchronize, event);
    }

    /** {@code cuEventElapsedTime(_v2)}: milliseconds between two completed events (about 0.5 us resolution). */
    public float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", (int) eventElapsedTime.invokeExact(out, start, end));
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    private void call(String name, MethodHandle handle, MemorySegment argument) {
        try {
            check(name, (int) handle.invokeExact(argument));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- modules and launches

    /** {@code cuModuleLoadData}: {@code image} is NUL-terminated PTX text (JIT-compiled now) or a cubin. */
    public MemorySegment moduleLoadData(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuModuleLoadData", (int) moduleLoadData.invokeExact(out, image));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cuModuleUnload}. */
    public void moduleUnload(MemorySegment module) {
        call("cuModuleUnload", moduleUnload, module);
    }

    /** {@code cuModuleGetFunction}: the kernel with this {@code extern "C"} name. */
    public MemorySegment moduleFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuModuleGetFunction(" + name + ")",
                    (int) moduleGetFunction.invokeExact(out, module, arena.allocateFrom(name)));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /**
     * {@code cuLaunchKernel} with a 1-D grid and block, no dynamic shared memory, and
     * {@code kernelParams}: an array of pointers, one per kernel parameter, each to that value.
     */
    public void launch(MemorySegment function, int gridX, int blockX, MemorySegment stream, MemorySegment kernelParams) {
        try {
            check("cuLaunchKernel", (int) launchKernel.invokeExact(function, gridX, 1, 1, blockX, 1, 1, 0,
                    stream, kernelParams, MemorySegment.NULL));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }
}
