package dev.panamax.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Downcall handles to {@code cblas_sgemm} and {@code cblas_sdot} of the system OpenBLAS (or the file
 * named by {@code -Dpanamax.blas.library}), held in static finals so that the JIT can inline the
 * handle and what {@link FfmCallBench} measures is the bare FFM transition plus the library's own
 * work, with no wrapper in between. When the library cannot be loaded, {@link #UNAVAILABLE_REASON}
 * says why and the handles are null.
 */
final class RawOpenBlas {
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;

    static final MethodHandle SGEMM;
    static final MethodHandle SDOT;
    static final String LIBRARY;
    static final String UNAVAILABLE_REASON;

    static {
        String library = System.getProperty("panamax.blas.library", "libopenblas.so.0");
        MethodHandle sgemm = null;
        MethodHandle sdot = null;
        String reason = null;
        try {
            // The global arena: the library stays loaded for the life of the benchmark JVM.
            SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
            Linker linker = Linker.nativeLinker();
            sgemm = linker.downcallHandle(lookup.findOrThrow("cblas_sgemm"), FunctionDescriptor.ofVoid(
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
            sdot = linker.downcallHandle(lookup.findOrThrow("cblas_sdot"), FunctionDescriptor.of(
                    JAVA_FLOAT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            reason = "cannot bind cblas_sgemm/cblas_sdot from " + library + ": " + e.getMessage()
                    + " (install libopenblas0 or pass -jvmArgsPrepend -Dpanamax.blas.library=/path/to/libopenblas.so)";
            sgemm = null;
            sdot = null;
        }
        SGEMM = sgemm;
        SDOT = sdot;
        LIBRARY = library;
        UNAVAILABLE_REASON = reason;
    }

    private RawOpenBlas() {
    }
}
