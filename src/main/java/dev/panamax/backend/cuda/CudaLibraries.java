package dev.panamax.backend.cuda;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.cuda.ffi.Cublas;
import dev.panamax.backend.cuda.ffi.CudaDriver;
import dev.panamax.backend.ffi.Dlfcn;
import dev.panamax.backend.ffi.MissingSymbolsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds and binds the two native libraries of the cuda backend: the driver ({@code libcuda.so.1},
 * installed with the NVIDIA kernel driver) and cuBLAS ({@code libcublas.so.13}, else {@code .so.12}).
 *
 * <p>Each library is looked for, in order:
 * <ol>
 *   <li>in the folder named by {@code -Dpanamax.cuda.lib=DIR} (when set, the folder must exist);</li>
 *   <li>in {@code $CUDA_HOME/lib64} and {@code $CUDA_HOME/targets/x86_64-linux/lib};</li>
 *   <li>by SONAME through the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.cache).</li>
 * </ol>
 * The folders are tried per library, so one folder may hold cuBLAS (a pip wheel's
 * {@code site-packages/nvidia/cublas/lib}) while the driver comes from the system. A file that opens
 * but lacks the functions is reported and the search goes on; the failure message lists every
 * attempt with its reason, and what to install or set.
 *
 * <p>Libraries are opened in the global arena and never unloaded: the driver and cuBLAS keep
 * threads and state in the process for its lifetime.
 */
@SuppressWarnings("restricted") // opening native libraries is this class's purpose; run with --enable-native-access
public final class CudaLibraries {
    /** System property naming a folder that holds libcuda.so.1 and/or libcublas.so.*. */
    public static final String LIB_PROPERTY = "panamax.cuda.lib";
    public static final String DRIVER_SONAME = "libcuda.so.1";
    /** Newest first: the cuBLAS of CUDA 13, then of CUDA 12. */
    public static final List<String> CUBLAS_SONAMES = List.of("libcublas.so.13", "libcublas.so.12");

    static final String DRIVER_HINT = "install the NVIDIA driver (it provides " + DRIVER_SONAME
            + "; a machine without an NVIDIA GPU cannot use this backend), or point -D" + LIB_PROPERTY
            + "=DIR at a folder holding it";
    static final String CUBLAS_HINT = "install cuBLAS: 'pip install nvidia-cublas-cu12' (then -D" + LIB_PROPERTY
            + "=<site-packages>/nvidia/cublas/lib) or the CUDA toolkit (then set CUDA_HOME), or point -D"
            + LIB_PROPERTY + "=DIR at a folder holding libcublas.so.13 or .so.12";

    /** A bound library and the file it was loaded from. */
    public record Loaded<T>(T bindings, String path) {
    }

    private CudaLibraries() {
    }

    /**
     * The folders to search before the linker's own search, from the property and CUDA_HOME.
     *
     * @throws BackendUnavailableException when the property names something that is not a folder
     */
    static List<Path> searchFolders(String propertyDir, String cudaHome) {
        List<Path> folders = new ArrayList<>();
        if (propertyDir != null && !propertyDir.isBlank()) {
            Path dir = Path.of(propertyDir.strip()).toAbsolutePath();
            if (!Files.isDirectory(dir)) {
                throw new BackendUnavailableException("-D" + LIB_PROPERTY + "=" + propertyDir + ": " + dir
                        + (Files.exists(dir) ? " is not a folder" : " does not exist")
                        + " (it must name the folder that holds the CUDA libraries)");
            }
            folders.add(dir);
        }
        if (cudaHome != null && !cudaHome.isBlank()) {
            folders.add(Path.of(cudaHome, "lib64"));
            folders.add(Path.of(cudaHome, "targets", "x86_64-linux", "lib"));
        }
        return folders;
    }

    /** The folders from the current system property and environment. */
    public static List<Path> defaultFolders() {
        return searchFolders(System.getProperty(LIB_PROPERTY), System.getenv("CUDA_HOME"));
    }

    /** Loads and binds the CUDA driver (nothing is called on it yet). */
    public static Loaded<CudaDriver> loadDriver(List<Path> folders) {
        return load("CUDA driver library", List.of(DRIVER_SONAME), folders, CudaDriver::bind,
                CudaDriver::initAddress, DRIVER_HINT);
    }

    /** Loads and binds cuBLAS. */
    public static Loaded<Cublas> loadCublas(List<Path> folders) {
        return loadCublas(folders, CUBLAS_SONAMES);
    }

    /** {@link #loadCublas(List)} restricted to {@code sonames} (the backend's retry with .so.12 on an older driver). */
    public static Loaded<Cublas> loadCublas(List<Path> folders, List<String> sonames) {
        return load("cuBLAS library", sonames, folders, Cublas::bind, Cublas::createAddress, CUBLAS_HINT);
    }

    private static <T> Loaded<T> load(String what, List<String> sonames, List<Path> folders,
                                      Function<SymbolLookup, T> binder, Function<T, MemorySegment> anchor, String hint) {
        List<String> attempts = new ArrayList<>();
        for (Path folder : folders) {
            for (String soname : sonames) {
                Path file = folder.resolve(soname);
                if (!Files.exists(file)) {
                    continue; // absent files are not worth a line each; the folder list is in the message
                }
                Loaded<T> loaded = attempt(what, file.toString(), () -> SymbolLookup.libraryLookup(file, Arena.global()),
                        "the dynamic linker cannot load it", binder, anchor, attempts);
                if (loaded != null) {
                    return loaded;
                }
            }
        }
        for (String soname : sonames) {
            Loaded<T> loaded = attempt(what, soname, () -> SymbolLookup.libraryLookup(soname, Arena.global()),
                    "not in the system library folders or LD_LIBRARY_PATH", binder, anchor, attempts);
            if (loaded != null) {
                return loaded;
            }
        }
        String searched = folders.isEmpty() ? "" : " (searched " + folders + " and the system)";
        throw new BackendUnavailableException("no " + what + searched + ": " + String.join("; ", attempts)
                + ". To fix: " + hint);
    }

    /** Opens and binds {@code name}; on failure adds the reason to {@code attempts} and returns null. */
    private static <T> Loaded<T> attempt(String what, String name, Supplier<SymbolLookup> open, String openFallback,
                                         Function<SymbolLookup, T> binder, Function<T, MemorySegment> anchor,
                                         List<String> attempts) {
        try {
            T bound = binder.apply(open.get());
            return new Loaded<>(bound, Dlfcn.libraryFile(anchor.apply(bound), name));
        } catch (IllegalArgumentException e) {
            attempts.add(openFailure(name, openFallback));
        } catch (MissingSymbolsException e) {
            attempts.add(name + ": not the " + what + " (" + e.getMessage() + ")");
        }
        return null;
    }

    /** The dynamic linker's reason, which usually starts with the name already ("libcuda.so.1: cannot open ..."). */
    private static String openFailure(String name, String fallback) {
        String reason = Dlfcn.openError(name).orElse(fallback);
        return reason.startsWith(name) ? reason : name + ": " + reason;
    }
}
