package dev.panamax.backend.cuda.ffi;

import dev.panamax.backend.cuda.ffi.generated.cublas.cublas_functions;
import dev.panamax.backend.cuda.ffi.generated.cublas.cublas_h;
import dev.panamax.backend.ffi.MissingSymbolsException;
import dev.panamax.backend.ffi.Symbols;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The typed layer over the jextract bindings in {@code generated.cublas}: downcall handles for the
 * cuBLAS functions that {@code native/include/panamax_cublas_functions.h} names, made with the
 * descriptors jextract generated from {@code <cublas_v2.h>} (see the package doc), bound from one
 * {@code libcublas.so.13} or {@code .so.12} chosen at run time. Each method checks the {@code cublasStatus_t}
 * and throws {@link CudaException} naming it.
 *
 * <p>cuBLAS is column-major; the row-major mapping is the caller's business (see CudaBackend.gemm).
 * Matrices are device addresses ({@code long}); alpha and beta are host pointers, as in cuBLAS's
 * default pointer mode.
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose; run with --enable-native-access
public final class Cublas {
    /** The functions bound, in header order; all are required. */
    public static final List<String> REQUIRED_SYMBOLS = List.of(
            "cublasCreate_v2", "cublasDestroy_v2", "cublasGetVersion_v2", "cublasSetStream_v2",
            "cublasSetMathMode", "cublasSgemm_v2");

    public static final int CUBLAS_STATUS_SUCCESS = cublas_h.CUBLAS_STATUS_SUCCESS();
    public static final int CUBLAS_OP_N = cublas_h.CUBLAS_OP_N();
    public static final int CUBLAS_OP_T = cublas_h.CUBLAS_OP_T();
    /** Full fp32 arithmetic: no TF32 rounding of the inputs on tensor cores. */
    public static final int CUBLAS_DEFAULT_MATH = cublas_h.CUBLAS_DEFAULT_MATH();

    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle getVersion;
    private final MethodHandle setStream;
    private final MethodHandle setMathMode;
    private final MethodHandle sgemm;
    private final MemorySegment createAddress;

    private Cublas(SymbolLookup lookup) {
        createAddress = lookup.findOrThrow("cublasCreate_v2");
        create = Symbols.LINKER.downcallHandle(createAddress, cublas_functions.cublasCreate_v2.descriptor());
        destroy = Symbols.bind(lookup, "cublasDestroy_v2", cublas_functions.cublasDestroy_v2.descriptor());
        getVersion = Symbols.bind(lookup, "cublasGetVersion_v2", cublas_functions.cublasGetVersion_v2.descriptor());
        setStream = Symbols.bind(lookup, "cublasSetStream_v2", cublas_functions.cublasSetStream_v2.descriptor());
        setMathMode = Symbols.bind(lookup, "cublasSetMathMode", cublas_functions.cublasSetMathMode.descriptor());
        sgemm = Symbols.bind(lookup, "cublasSgemm_v2", SGEMM);
    }

    /**
     * {@code cublasSgemm_v2} as jextract generated it, with A, B and C (arguments 7, 9 and 12, all
     * {@code float *} to device memory) passed as the {@code long} device addresses the backend holds:
     * the C ABIs FFM supports pass a pointer and a 64-bit integer alike, and a {@code long} needs no
     * MemorySegment object per call.
     */
    static final FunctionDescriptor SGEMM = deviceAddressesAt(cublas_functions.cublasSgemm_v2.descriptor(), 7, 9, 12);

    // `generated` with the pointer arguments at `positions` (0-based) made longs; fails if one is not a pointer,
    // which would mean the header changed under the binding
    static FunctionDescriptor deviceAddressesAt(FunctionDescriptor generated, int... positions) {
        MemoryLayout[] arguments = generated.argumentLayouts().toArray(MemoryLayout[]::new);
        for (int i : positions) {
            if (!(arguments[i] instanceof AddressLayout)) {
                throw new IllegalStateException("argument " + i + " of " + generated + " is not a pointer");
            }
            arguments[i] = JAVA_LONG;
        }
        return FunctionDescriptor.of(generated.returnLayout().orElseThrow(), arguments);
    }

    /**
     * Binds the functions from {@code lookup} (nothing is called yet).
     *
     * @throws MissingSymbolsException naming every required function the library lacks
     */
    public static Cublas bind(SymbolLookup lookup) {
        Symbols.requireAll(lookup, REQUIRED_SYMBOLS);
        return new Cublas(lookup);
    }

    /** The address of {@code cublasCreate_v2}, to find which file the library was loaded from. */
    public MemorySegment createAddress() {
        return createAddress;
    }

    private static void check(String call, int status) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call, status, statusName(status) + " (" + status + ")");
        }
    }

    /** The {@code cublasStatus_t} names of cublas_api.h (cublasGetStatusName is not in cuBLAS 11). */
    static String statusName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t " + status;
        };
    }

    /** {@code cublasCreate_v2}: a handle bound to the current context's device. */
    public MemorySegment create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cublasCreate_v2", (int) create.invokeExact(out));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cublasDestroy_v2}. */
    public void destroy(MemorySegment handle) {
        try {
            check("cublasDestroy_v2", (int) destroy.invokeExact(handle));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cublasGetVersion_v2}: e.g. 130001 for cuBLAS 13.0.1 (major * 10000 + minor * 100 + patch). */
    public int version(MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cublasGetVersion_v2", (int) getVersion.invokeExact(handle, out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cublasSetStream_v2}: later calls on the handle are queued on {@code stream} (a driver CUstream). */
    public void setStream(MemorySegment handle, MemorySegment stream) {
        try {
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, stream));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cublasSetMathMode}. */
    public void setMathMode(MemorySegment handle, int mode) {
        try {
            check("cublasSetMathMode", (int) setMathMode.invokeExact(handle, mode));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /**
     * {@code cublasSgemm_v2}, column-major: C = alpha * op(A) * op(B) + beta * C with op(A) (m,k),
     * op(B) (k,n), C (m,n); {@code alpha} and {@code beta} point at one host float each. With
     * beta == 0, C is not read.
     */
    public void sgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
                      long a, int lda, long b, int ldb, MemorySegment beta, long c, int ldc) {
        try {
            check("cublasSgemm_v2", (int) sgemm.invokeExact(handle, transA, transB, m, n, k, alpha, a, lda, b, ldb,
                    beta, c, ldc));
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }
}
