package dev.panamax.backend.ffi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The dynamic linker calls of {@code native/include/panamax_dlfcn.h}, for diagnostics only:
 * which file a loaded symbol lives in ({@code dladdr}: a library opened by SONAME is reported by
 * the file the linker actually chose), and why a library does not open ({@code dlerror}: the JDK's
 * {@code SymbolLookup.libraryLookup} says only that it failed, not "libgfortran.so.5: cannot open
 * shared object file" or "wrong ELF class").
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose; run with --enable-native-access
public final class Dlfcn {
    private static final StructLayout DL_INFO = MemoryLayout.structLayout(
            ADDRESS.withName("dli_fname"),
            ADDRESS.withName("dli_fbase"),
            ADDRESS.withName("dli_sname"),
            ADDRESS.withName("dli_saddr"));
    private static final VarHandle FNAME = DL_INFO.varHandle(MemoryLayout.PathElement.groupElement("dli_fname"));
    /** Linux limits paths to PATH_MAX = 4096 bytes including the NUL; dlerror's text is shorter than two. */
    private static final long MAX_STRING_BYTES = 2 * 4096;
    /** RTLD_LAZY from glibc's bits/dlfcn.h: resolve functions on first call, as the JDK does. */
    private static final int RTLD_LAZY = 0x1;

    private static final SymbolLookup LIBC = Symbols.LINKER.defaultLookup();
    /** Each is null where the C library does not export it (not glibc / musl). */
    private static final MethodHandle DLADDR = find("dladdr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS.withTargetLayout(DL_INFO)));
    private static final MethodHandle DLOPEN = find("dlopen", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle DLERROR = find("dlerror", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle DLCLOSE = find("dlclose", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private Dlfcn() {
    }

    private static MethodHandle find(String name, FunctionDescriptor descriptor) {
        return LIBC.find(name).map(address -> Symbols.LINKER.downcallHandle(address, descriptor)).orElse(null);
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
            return string((MemorySegment) FNAME.get(info, 0L));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("dladdr failed", t);
        }
    }

    /**
     * The real file (symbolic links followed, e.g. Debian's alternatives) of the loaded library that
     * holds {@code symbol}: for a library opened by SONAME, the file the linker chose. {@code requested}
     * (the name the library was opened by) when that cannot be told.
     */
    public static String libraryFile(MemorySegment symbol, String requested) {
        String file = fileOf(symbol).orElse(requested);
        try {
            return Path.of(file).toRealPath().toString();
        } catch (IOException | InvalidPathException e) {
            return file; // loaded, so the name the linker used is still true
        }
    }

    /**
     * The dynamic linker's own reason why {@code library} (a path or a SONAME) does not open, or
     * empty when it opens (it is closed again: this only asks) or the reason cannot be had.
     */
    public static Optional<String> openError(String library) {
        if (DLOPEN == null || DLERROR == null || DLCLOSE == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(library), RTLD_LAZY);
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) DLCLOSE.invokeExact(handle);
                return Optional.empty();
            }
            // dlerror's text is thread-local in glibc, so no other thread's failure can replace it here
            return string((MemorySegment) DLERROR.invokeExact());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("dlopen failed", t);
        }
    }

    private static Optional<String> string(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        return Optional.of(pointer.reinterpret(MAX_STRING_BYTES).getString(0));
    }
}
