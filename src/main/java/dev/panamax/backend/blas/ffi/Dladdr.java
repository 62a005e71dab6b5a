package dev.panamax.backend.blas.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code dladdr} from {@code native/include/panamax_dlfcn.h}: the path of the shared object that
 * holds a symbol. A library opened by SONAME ({@code libopenblas.so.0}) is reported by the file
 * the dynamic linker actually chose, which is what a person debugging a slow or wrong BLAS needs.
 */
public final class Dladdr {
    private static final StructLayout DL_INFO = MemoryLayout.structLayout(
            ADDRESS.withName("dli_fname"),
            ADDRESS.withName("dli_fbase"),
            ADDRESS.withName("dli_sname"),
            ADDRESS.withName("dli_saddr"));
    private static final VarHandle FNAME = DL_INFO.varHandle(MemoryLayout.PathElement.groupElement("dli_fname"));
    /** Linux limits paths to PATH_MAX = 4096 bytes including the NUL. */
    private static final long PATH_MAX = 4096;

    /** Null where the C library does not export dladdr (not glibc / musl). */
    private static final MethodHandle DLADDR = Linker.nativeLinker().defaultLookup().find("dladdr")
            .map(address -> Linker.nativeLinker().downcallHandle(address,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS.withTargetLayout(DL_INFO))))
            .orElse(null);

    private Dladdr() {
    }

    /** The path of the loaded file containing {@code symbol}, or empty when it cannot be told. */
    public static Optional<String> fileOf(MemorySegment symbol) {
        if (DLADDR == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(DL_INFO);
            int found = (int) DLADDR.invokeExact(symbol, info);
            if (found == 0) {
                return Optional.empty();
            }
            MemorySegment fname = (MemorySegment) FNAME.get(info, 0L);
            if (fname.equals(MemorySegment.NULL)) {
                return Optional.empty();
            }
            return Optional.of(fname.reinterpret(PATH_MAX).getString(0));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("dladdr failed", t);
        }
    }
}
