package dev.panamax.backend.blas.ffi;

import dev.panamax.backend.blas.ffi.generated.cblas_functions;
import dev.panamax.backend.blas.ffi.generated.cblas_h;
import dev.panamax.backend.ffi.MissingSymbolsException;
import dev.panamax.backend.ffi.Symbols;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * The typed layer over the jextract bindings in {@code generated}: downcall handles for the CBLAS and
 * OpenBLAS functions that {@code native/include/panamax_cblas.h} names, bound from one loaded library
 * with the descriptors jextract generated from OpenBLAS's {@code cblas.h} (see the package doc). The
 * five {@code cblas_*} functions of {@link #REQUIRED_SYMBOLS} are required (any CBLAS library has them);
 * those of {@link #OPTIONAL_SYMBOLS} report their absence instead of failing.
 *
 * <p>Each function has two handles. The plain one takes native segments only; it is what every call
 * on native memory uses: GEMM and GEMV run long enough that the thread-state transition is noise, and
 * {@code cblas_sdot} on 4 to 16 floats measured 9 to 19 ns a call with or without
 * {@code critical(false)} (JDK 25, Zen 5, OpenBLAS 0.3.21), so nothing would be gained. The
 * {@code ...Heap} one is bound with {@code Linker.Option.critical(true)}, which lets a heap segment
 * (a {@code float[]}) through without a copy; the thread then stays in Java state for the whole call,
 * so no safepoint (no garbage collection, anywhere in the JVM) can begin until it returns. The
 * caller uses it for short calls only (see BlasBackend).
 *
 * <p>Pointers are passed as {@link MemorySegment}s; the caller guarantees they are large enough for
 * the sizes and leading dimensions given (nothing is checked here).
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose; run with --enable-native-access
public final class Cblas {
    /** {@code CblasRowMajor}: the only order Panamax uses (its tensors are row-major). */
    public static final int ROW_MAJOR = cblas_h.CblasRowMajor();
    /** {@code CblasNoTrans}. */
    public static final int NO_TRANS = cblas_h.CblasNoTrans();
    /** {@code CblasTrans}. */
    public static final int TRANS = cblas_h.CblasTrans();

    // The descriptors are cblas.h's, as jextract wrote them; the typed methods below call each handle
    // with exactly their Java types (invokeExact), so a header that changed a type fails on the first call.
    private static final FunctionDescriptor SGEMM = cblas_functions.cblas_sgemm.descriptor();
    private static final FunctionDescriptor SGEMV = cblas_functions.cblas_sgemv.descriptor();
    private static final FunctionDescriptor SAXPY = cblas_functions.cblas_saxpy.descriptor();
    private static final FunctionDescriptor SSCAL = cblas_functions.cblas_sscal.descriptor();
    private static final FunctionDescriptor SDOT = cblas_functions.cblas_sdot.descriptor();
    private static final FunctionDescriptor SNRM2 = cblas_functions.cblas_snrm2.descriptor();
    private static final FunctionDescriptor SET_NUM_THREADS = cblas_functions.openblas_set_num_threads.descriptor();
    private static final FunctionDescriptor GET_NUM_THREADS = cblas_functions.openblas_get_num_threads.descriptor();
    private static final FunctionDescriptor GET_CORENAME = cblas_functions.openblas_get_corename.descriptor();
    private static final FunctionDescriptor GET_CONFIG = cblas_functions.openblas_get_config.descriptor();

    /** The required functions, in the order the header lists them. */
    public static final List<String> REQUIRED_SYMBOLS =
            List.of("cblas_sgemm", "cblas_sgemv", "cblas_saxpy", "cblas_sscal", "cblas_sdot");
    /**
     * The optional ones, after the required in the header: {@code cblas_snrm2} (Panamax's binding began
     * with the five above, and a library with only those still loads; BlasBackend takes the Vector API norm
     * there) and OpenBLAS's extensions, which other CBLAS libraries lack.
     */
    public static final List<String> OPTIONAL_SYMBOLS = List.of("cblas_snrm2", "openblas_set_num_threads",
            "openblas_get_num_threads", "openblas_get_corename", "openblas_get_config");

    /** The option of the {@code ...Heap} handles: heap segments pass in place, the GC held off meanwhile. */
    private static final Linker.Option HEAP_ACCESS = Linker.Option.critical(true);

    /** How long a string from openblas_get_config/corename may be; they are a few dozen bytes. */
    private static final long MAX_STRING_BYTES = 4096;

    private final MethodHandle sgemm;
    private final MethodHandle sgemv;
    private final MethodHandle saxpy;
    private final MethodHandle sscal;
    private final MethodHandle sdot;
    private final MethodHandle snrm2;
    private final MethodHandle sgemmHeap;
    private final MethodHandle sgemvHeap;
    private final MethodHandle saxpyHeap;
    private final MethodHandle sscalHeap;
    private final MethodHandle sdotHeap;
    private final MethodHandle snrm2Heap;
    private final MethodHandle setNumThreads;
    private final MethodHandle getNumThreads;
    private final MethodHandle getCorename;
    private final MethodHandle getConfig;
    private final MemorySegment sgemmAddress;

    private Cblas(SymbolLookup lookup) {
        sgemmAddress = lookup.findOrThrow("cblas_sgemm");
        sgemm = Symbols.LINKER.downcallHandle(sgemmAddress, SGEMM);
        sgemv = Symbols.bind(lookup, "cblas_sgemv", SGEMV);
        saxpy = Symbols.bind(lookup, "cblas_saxpy", SAXPY);
        sscal = Symbols.bind(lookup, "cblas_sscal", SSCAL);
        sdot = Symbols.bind(lookup, "cblas_sdot", SDOT);
        snrm2 = optional(lookup, "cblas_snrm2", SNRM2);
        sgemmHeap = Symbols.LINKER.downcallHandle(sgemmAddress, SGEMM, HEAP_ACCESS);
        sgemvHeap = Symbols.bind(lookup, "cblas_sgemv", SGEMV, HEAP_ACCESS);
        saxpyHeap = Symbols.bind(lookup, "cblas_saxpy", SAXPY, HEAP_ACCESS);
        sscalHeap = Symbols.bind(lookup, "cblas_sscal", SSCAL, HEAP_ACCESS);
        sdotHeap = Symbols.bind(lookup, "cblas_sdot", SDOT, HEAP_ACCESS);
        snrm2Heap = optional(lookup, "cblas_snrm2", SNRM2, HEAP_ACCESS);
        setNumThreads = optional(lookup, "openblas_set_num_threads", SET_NUM_THREADS);
        getNumThreads = optional(lookup, "openblas_get_num_threads", GET_NUM_THREADS);
        getCorename = optional(lookup, "openblas_get_corename", GET_CORENAME);
        getConfig = optional(lookup, "openblas_get_config", GET_CONFIG);
    }

    /**
     * Binds the functions from {@code lookup}.
     *
     * @throws MissingSymbolsException naming every required function the library lacks
     */
    public static Cblas bind(SymbolLookup lookup) {
        Symbols.requireAll(lookup, REQUIRED_SYMBOLS);
        return new Cblas(lookup);
    }

    /** The handle of {@code name}, or null where the library lacks it. */
    private static MethodHandle optional(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
        return lookup.find(name).map(address -> Symbols.LINKER.downcallHandle(address, descriptor, options)).orElse(null);
    }

    /** The address of {@code cblas_sgemm}, to find which file the library was loaded from. */
    public MemorySegment sgemmAddress() {
        return sgemmAddress;
    }

    /** {@code cblas_sgemm}: C = alpha * op(A) * op(B) + beta * C, op(A) (m,k), op(B) (k,n), C (m,n). */
    public void sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                      MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        sgemm(false, order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** {@code cblas_sgemm}; heap: through the critical handle, which also takes heap segments (see the class doc). */
    public void sgemm(boolean heap, int order, int transA, int transB, int m, int n, int k, float alpha,
                      MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            (heap ? sgemmHeap : sgemm).invokeExact(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cblas_sgemv}: y = alpha * op(A) * x + beta * y, A (m,n). */
    public void sgemv(int order, int trans, int m, int n, float alpha, MemorySegment a, int lda,
                      MemorySegment x, int incX, float beta, MemorySegment y, int incY) {
        sgemv(false, order, trans, m, n, alpha, a, lda, x, incX, beta, y, incY);
    }

    /** {@code cblas_sgemv}; heap as for {@link #sgemm(boolean, int, int, int, int, int, int, float, MemorySegment,
     *  int, MemorySegment, int, float, MemorySegment, int)}. */
    public void sgemv(boolean heap, int order, int trans, int m, int n, float alpha, MemorySegment a, int lda,
                      MemorySegment x, int incX, float beta, MemorySegment y, int incY) {
        try {
            (heap ? sgemvHeap : sgemv).invokeExact(order, trans, m, n, alpha, a, lda, x, incX, beta, y, incY);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cblas_saxpy}: y = alpha * x + y over n strided elements. */
    public void saxpy(int n, float alpha, MemorySegment x, int incX, MemorySegment y, int incY) {
        saxpy(false, n, alpha, x, incX, y, incY);
    }

    /** {@code cblas_saxpy}; heap: through the critical handle. */
    public void saxpy(boolean heap, int n, float alpha, MemorySegment x, int incX, MemorySegment y, int incY) {
        try {
            (heap ? saxpyHeap : saxpy).invokeExact(n, alpha, x, incX, y, incY);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cblas_sscal}: x = alpha * x over n strided elements. */
    public void sscal(int n, float alpha, MemorySegment x, int incX) {
        sscal(false, n, alpha, x, incX);
    }

    /** {@code cblas_sscal}; heap: through the critical handle. */
    public void sscal(boolean heap, int n, float alpha, MemorySegment x, int incX) {
        try {
            (heap ? sscalHeap : sscal).invokeExact(n, alpha, x, incX);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code cblas_sdot}: sum of x[i] * y[i] over n strided elements. */
    public float sdot(int n, MemorySegment x, int incX, MemorySegment y, int incY) {
        return sdot(false, n, x, incX, y, incY);
    }

    /** {@code cblas_sdot}; heap: through the critical handle. */
    public float sdot(boolean heap, int n, MemorySegment x, int incX, MemorySegment y, int incY) {
        try {
            return (float) (heap ? sdotHeap : sdot).invokeExact(n, x, incX, y, incY);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** Whether the library has {@code cblas_snrm2} (optional: Panamax's own CBLAS subset began without it). */
    public boolean hasNrm2() {
        return snrm2 != null;
    }

    /** {@code cblas_snrm2}: the Euclidean norm of n strided elements; heap: through the critical handle. */
    public float snrm2(boolean heap, int n, MemorySegment x, int incX) {
        try {
            return (float) (heap ? snrm2Heap : snrm2).invokeExact(n, x, incX);
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** Whether the library has OpenBLAS's thread-count control. */
    public boolean hasThreadControl() {
        return setNumThreads != null && getNumThreads != null;
    }

    /** {@code openblas_set_num_threads}; a no-op (returns false) on a library without it. */
    public boolean setNumThreads(int threads) {
        if (setNumThreads == null) {
            return false;
        }
        try {
            setNumThreads.invokeExact(threads);
            return true;
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code openblas_get_num_threads}, or empty on a library without it. */
    public Optional<Integer> numThreads() {
        if (getNumThreads == null) {
            return Optional.empty();
        }
        try {
            return Optional.of((int) getNumThreads.invokeExact());
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
    }

    /** {@code openblas_get_corename} (the kernel family chosen for this CPU), or empty. */
    public Optional<String> coreName() {
        return string(getCorename);
    }

    /** {@code openblas_get_config} (version and build options), or empty. */
    public Optional<String> config() {
        return string(getConfig);
    }

    private static Optional<String> string(MethodHandle handle) {
        if (handle == null) {
            return Optional.empty();
        }
        MemorySegment pointer;
        try {
            pointer = (MemorySegment) handle.invokeExact();
        } catch (Throwable t) {
            throw Symbols.rethrow(t);
        }
        if (pointer.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        // The string is static storage inside the library: read it in place, up to its NUL.
        return Optional.of(pointer.reinterpret(MAX_STRING_BYTES).getString(0).strip());
    }
}
