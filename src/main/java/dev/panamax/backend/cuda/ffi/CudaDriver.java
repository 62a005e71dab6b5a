package dev.panamax.backend.cuda.ffi;

import dev.panamax.backend.ffi.MissingSymbolsException;
import dev.panamax.backend.ffi.Symbols;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for the CUDA driver API subset in {@code native/include/panamax_cuda.h}, bound from
 * one loaded {@code libcuda.so.1}. Every method checks the {@code CUresult} and throws
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

    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CU_STREAM_NON_BLOCKING = 0x1;
    public static final int CU_EVENT_DEFAULT = 0x0;
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY = 83;
    public static final int CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS = 89;
    public static final int CU_MEM_ATTACH_GLOBAL = 0x1;

    /** Device names are at most 256 bytes in every driver (cudaDeviceProp.name is char[256]). */
    private static final int NAME_BYTES = 256;
    /** Error names and descriptions are static strings of a few dozen bytes. */
    private static final long MAX_STRING_BYTES = 4096;

    private static final FunctionDescriptor RESULT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor RESULT_ADDR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor RESULT_LONG = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor RESULT_ADDR_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor RESULT_ADDR_ADDR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor RESULT_ADDR_LONG = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);

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

    private CudaDriver(SymbolLookup lookup) {
        getErrorName = Symbols.bind(lookup, "cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        getErrorString = Symbols.bind(lookup, "cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        initAddress = lookup.findOrThrow("cuInit");
        init = Symbols.LINKER.downcallHandle(initAddress, RESULT_INT);
        driverGetVersion = Symbols.bind(lookup, "cuDriverGetVersion", RESULT_ADDR);
        deviceGetCount = Symbols.bind(lookup, "cuDeviceGetCount", RESULT_ADDR);
        deviceGet = Symbols.bind(lookup, "cuDeviceGet", RESULT_ADDR_INT);
        deviceGetName = Symbols.bind(lookup, "cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceGetAttribute = Symbols.bind(lookup, "cuDeviceGetAttribute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceTotalMem = Symbols.bind(lookup, "cuDeviceTotalMem_v2", RESULT_ADDR_INT);
        primaryCtxRetain = Symbols.bind(lookup, "cuDevicePrimaryCtxRetain", RESULT_ADDR_INT);
        primaryCtxRelease = Symbols.bind(lookup, "cuDevicePrimaryCtxRelease_v2", RESULT_INT);
        ctxSetCurrent = Symbols.bind(lookup, "cuCtxSetCurrent", RESULT_ADDR);
        memAlloc = Symbols.bind(lookup, "cuMemAlloc_v2", RESULT_ADDR_LONG);
        memFree = Symbols.bind(lookup, "cuMemFree_v2", RESULT_LONG);
        memcpyHtoD = Symbols.bind(lookup, "cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        memcpyDtoH = Symbols.bind(lookup, "cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        memcpyHtoDAsync = Symbols.bind(lookup, "cuMemcpyHtoDAsync_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        memcpyDtoHAsync = Symbols.bind(lookup, "cuMemcpyDtoHAsync_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        memAllocManaged = Symbols.bind(lookup, "cuMemAllocManaged", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        memcpyDtoDAsync = Symbols.bind(lookup, "cuMemcpyDtoDAsync_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        memsetD32Async = Symbols.bind(lookup, "cuMemsetD32Async",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
        streamCreate = Symbols.bind(lookup, "cuStreamCreate", RESULT_ADDR_INT);
        streamDestroy = Symbols.bind(lookup, "cuStreamDestroy_v2", RESULT_ADDR);
        streamSynchronize = Symbols.bind(lookup, "cuStreamSynchronize", RESULT_ADDR);
        eventCreate = Symbols.bind(lookup, "cuEventCreate", RESULT_ADDR_INT);
        eventDestroy = Symbols.bind(lookup, "cuEventDestroy_v2", RESULT_ADDR);
        eventRecord = Symbols.bind(lookup, "cuEventRecord", RESULT_ADDR_ADDR);
        eventSynchronize = Symbols.bind(lookup, "cuEventSynchronize", RESULT_ADDR);
        // cuda.h 13 maps the name to _v2 (added in 12.8); older drivers export only the original
        String elapsed = lookup.find("cuEventElapsedTime_v2").isPresent() ? "cuEventElapsedTime_v2" : "cuEventElapsedTime";
        eventElapsedTime = Symbols.bind(lookup, elapsed, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        moduleLoadData = Symbols.bind(lookup, "cuModuleLoadData", RESULT_ADDR_ADDR);
        moduleUnload = Symbols.bind(lookup, "cuModuleUnload", RESULT_ADDR);
        moduleGetFunction = Symbols.bind(lookup, "cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        launchKernel = Symbols.bind(lookup, "cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
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
