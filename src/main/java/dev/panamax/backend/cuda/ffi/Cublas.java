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
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for the cuBLAS subset in {@code native/include/panamax_cublas.h}, bound from one
 * loaded {@code libcublas.so.13} or {@code .so.12}. Each method checks the {@code cublasStatus_t}
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

    public static final int CUBLAS_STATUS_SUCCESS = 0;
    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;
    /** Full fp32 arithmetic: no TF32 rounding of the inputs on tensor cores. */
    public static final int CUBLAS_DEFAULT_MATH = 0;

    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle getVersion;
    private final MethodHandle setStream;
    private final MethodHandle setMathMode;
    private final MethodHandle sgemm;
    private final MemorySegment createAddress;

    private Cublas(SymbolLookup lookup) {
        createAddress = lookup.findOrThrow("cublasCreate_v2");
        create = Symbols.LINKER.downcallHandle(createAddress, FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = Symbols.bind(lookup, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getVersion = Symbols.bind(lookup, "cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setStream = Symbols.bind(lookup, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = Symbols.bind(lookup, "cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        sgemm = Symbols.bind(lookup, "cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
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
