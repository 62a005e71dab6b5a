package dev.panamax.backend.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Binding helpers shared by every FFM binding (OpenBLAS's {@code Cblas}, the CUDA driver's and cuBLAS's):
 * check all required names first, so that a wrong library is reported with everything it lacks, then link.
 */
@SuppressWarnings("restricted") // linking native functions is this class's purpose; run with --enable-native-access
public final class Symbols {
    public static final Linker LINKER = Linker.nativeLinker();

    private Symbols() {
    }

    /** @throws MissingSymbolsException naming every one of {@code names} that {@code lookup} lacks */
    public static void requireAll(SymbolLookup lookup, List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (lookup.find(name).isEmpty()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingSymbolsException(missing);
        }
    }

    public static MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                    Linker.Option... options) {
        return LINKER.downcallHandle(lookup.findOrThrow(name), descriptor, options);
    }

    /** Turns what {@code invokeExact} may throw into an unchecked exception without wrapping errors. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
