package dev.panamax.backend.blas;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.blas.ffi.Cblas;
import dev.panamax.backend.ffi.Dlfcn;
import dev.panamax.backend.ffi.MissingSymbolsException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A loaded CBLAS library with its bindings, and how it was found.
 *
 * <p>{@link #load()} resolves, in order:
 * <ol>
 *   <li>{@code -Dpanamax.blas.library=PATH}: any CBLAS shared library (or the words {@code system}
 *       or {@code bundled} to force one of the two below); when set, nothing else is tried;</li>
 *   <li>the system's {@code libopenblas.so.0}, by SONAME through the dynamic linker's search;</li>
 *   <li>the OpenBLAS natives in the {@code org.bytedeco:openblas:linux-x86_64} jar, extracted once
 *       into a cache folder ({@link BundledOpenBlas}).</li>
 * </ol>
 * Libraries are opened in the global arena and never unloaded: OpenBLAS keeps worker threads
 * running inside its own code, so unloading it would pull the code out from under them.
 *
 * <p>This is the public face used by the {@code info} command and by {@link BlasBackend}.
 */
@SuppressWarnings("restricted") // opening native libraries is this class's purpose; run with --enable-native-access
public final class BlasLibrary {
    /** System property naming the CBLAS library file (or {@code system} / {@code bundled}). */
    public static final String LIBRARY_PROPERTY = "panamax.blas.library";
    /** The SONAME of OpenBLAS's LP64 build, as installed by Debian's libopenblas0-* packages. */
    public static final String SYSTEM_SONAME = "libopenblas.so.0";

    /** What to do about it; appended to every failure so that a person knows the next step. */
    static final String HINT = "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread), keep "
            + "org.bytedeco:openblas:linux-x86_64 on the class path, or point -D" + LIBRARY_PROPERTY
            + "=/path/to/libcblas.so at any CBLAS shared library";

    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    /** Where a library came from. */
    public enum Source { FILE, SYSTEM, BUNDLED }

    /**
     * Real paths of the bundled libraries loaded in this JVM. Once one is loaded, the dynamic
     * linker answers a later request for the SONAME libopenblas.so.0 with it (it matches loaded
     * objects by SONAME before searching folders), so "system" may turn out to be a bundled copy.
     */
    private static final java.util.Set<String> BUNDLED_PATHS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static BlasLibrary defaultLibrary;
    private static String defaultLibraryKey;

    private final String path;
    private final Source source;
    private final Cblas cblas;
    /**
     * Guards OpenBLAS's process-wide thread count, which must not change while a call runs: a call that
     * changes it holds the write lock, every other call a read lock (StampedLock: no allocation when
     * uncontended, so a training step stays garbage-free).
     */
    private final java.util.concurrent.locks.StampedLock threadCount = new java.util.concurrent.locks.StampedLock();

    private BlasLibrary(String path, Source source, Cblas cblas) {
        this.path = path;
        this.source = source;
        this.cblas = cblas;
    }

    /**
     * The library chosen by the resolution order above; loaded once per JVM (again only if the
     * property changes).
     *
     * @throws BackendUnavailableException saying what was tried, why each failed, and what to do
     */
    public static synchronized BlasLibrary load() {
        String property = System.getProperty(LIBRARY_PROPERTY, "").strip();
        if (defaultLibrary != null && defaultLibraryKey.equals(property)) {
            return defaultLibrary;
        }
        BlasLibrary lib = resolve(property);
        defaultLibrary = lib;
        defaultLibraryKey = property;
        return lib;
    }

    private static BlasLibrary resolve(String property) {
        if (property.equals("system")) {
            return withHint(BlasLibrary::loadSystem, "-D" + LIBRARY_PROPERTY + "=system");
        }
        if (property.equals("bundled")) {
            return withHint(() -> loadBundled(BundledOpenBlas.defaultCacheRoot()), "-D" + LIBRARY_PROPERTY + "=bundled");
        }
        if (!property.isEmpty()) {
            return withHint(() -> loadFile(Path.of(property)), "-D" + LIBRARY_PROPERTY + "=" + property);
        }
        return systemThenBundled(BlasLibrary::loadSystem, () -> loadBundled(BundledOpenBlas.defaultCacheRoot()));
    }

    /** The default order; when both fail, one message with both reasons and the hint. */
    static BlasLibrary systemThenBundled(Loader system, Loader bundled) {
        String systemReason;
        try {
            return system.load();
        } catch (BackendUnavailableException e) {
            systemReason = e.getMessage();
        }
        try {
            return bundled.load();
        } catch (BackendUnavailableException e) {
            throw new BackendUnavailableException("no CBLAS library found: system " + SYSTEM_SONAME + ": " + systemReason
                    + "; bundled OpenBLAS: " + e.getMessage() + ". To fix: " + HINT, e);
        }
    }

    /** One way of loading a library, throwing BackendUnavailableException when it cannot. */
    interface Loader {
        BlasLibrary load();
    }

    private static BlasLibrary withHint(Loader loader, String what) {
        try {
            return loader.load();
        } catch (BackendUnavailableException e) {
            throw new BackendUnavailableException(what + ": " + e.getMessage() + ". To fix: " + HINT, e);
        }
    }

    /**
     * Loads a CBLAS library from a file.
     *
     * @throws BackendUnavailableException naming the file and what is wrong with it: missing, not a
     *                                     shared library, or without the CBLAS functions
     */
    public static BlasLibrary loadFile(Path file) {
        Path absolute = file.toAbsolutePath();
        checkLoadableFile(absolute);
        return bind(open(absolute.toString()), absolute.toString(), Source.FILE);
    }

    /**
     * Loads the system's OpenBLAS by SONAME ({@value #SYSTEM_SONAME}), wherever the linker finds it.
     * When a bundled copy is already loaded in this JVM the linker returns that copy, and the
     * result says so ({@link Source#BUNDLED} and its path).
     */
    public static BlasLibrary loadSystem() {
        return loadSystem(SYSTEM_SONAME);
    }

    /** As {@link #loadSystem()}, by another SONAME (tests: one that no system has). */
    static BlasLibrary loadSystem(String soname) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("the dynamic linker cannot open " + soname + " ("
                    + Dlfcn.openError(soname).orElse("not in the system library folders or LD_LIBRARY_PATH")
                    + ")", e);
        }
        return bind(lookup, soname, Source.SYSTEM);
    }

    /**
     * Loads the OpenBLAS natives bundled in the org.bytedeco jar, extracting them under
     * {@code cacheRoot} first when they are not there yet (or do not match the jar).
     */
    public static BlasLibrary loadBundled(Path cacheRoot) {
        List<Path> files = BundledOpenBlas.extract(cacheRoot);
        SymbolLookup last = null;
        for (Path f : files) {
            last = open(f.toString());
        }
        BlasLibrary bundled = bind(last, files.getLast().toString(), Source.BUNDLED);
        BUNDLED_PATHS.add(bundled.path());
        return bundled;
    }

    private static void checkLoadableFile(Path file) {
        if (!Files.exists(file)) {
            throw new BackendUnavailableException(file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new BackendUnavailableException(file + " is not a regular file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ELF_MAGIC.length);
        } catch (IOException e) {
            throw new BackendUnavailableException(file + " cannot be read: " + e.getMessage(), e);
        }
        if (!java.util.Arrays.equals(head, ELF_MAGIC)) {
            throw new BackendUnavailableException(file + " is not a shared library (no ELF header)");
        }
    }

    private static SymbolLookup open(String path) {
        try {
            return SymbolLookup.libraryLookup(Path.of(path), Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("the dynamic linker cannot load " + path + " ("
                    + Dlfcn.openError(path).orElse("wrong architecture, a missing dependency, or not a shared library")
                    + ")", e);
        }
    }

    private static BlasLibrary bind(SymbolLookup lookup, String requested, Source source) {
        Cblas cblas;
        try {
            cblas = Cblas.bind(lookup);
        } catch (MissingSymbolsException e) {
            throw new BackendUnavailableException(requested + " is not a CBLAS library: " + e.getMessage(), e);
        }
        // By SONAME the request is only a name: report the file the linker actually chose
        String path = Dlfcn.libraryFile(cblas.sgemmAddress(), requested);
        checkArithmetic(cblas, path);
        boolean systemIsBundledCopy = source == Source.SYSTEM && BUNDLED_PATHS.contains(path);
        return new BlasLibrary(path, systemIsBundledCopy ? Source.BUNDLED : source, cblas);
    }

    /**
     * One small product of each kind before the library is used: a library that exports the right
     * symbols can still compute wrong (a broken build, an ABI mismatch in an impostor), and it would
     * otherwise train a model on wrong numbers without a word. Exact in float: small integers only.
     */
    private static void checkArithmetic(Cblas cblas, String path) {
        try (Arena arena = Arena.ofConfined()) {
            // A (2x3) = [1 2 3; 4 5 6], B (3x2) = [7 8; 9 10; 11 12]: A B = [58 64; 139 154]; beta = 0 over NaN
            MemorySegment a = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
            MemorySegment b = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, 7, 8, 9, 10, 11, 12);
            MemorySegment c = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, Float.NaN, Float.NaN, Float.NaN,
                    Float.NaN);
            cblas.sgemm(Cblas.ROW_MAJOR, Cblas.NO_TRANS, Cblas.NO_TRANS, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);
            float[] got = c.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            float dot = cblas.sdot(3, a, 1, b, 2); // 1*7 + 2*9 + 3*11 = 58, every other element of B
            if (!java.util.Arrays.equals(got, new float[] {58, 64, 139, 154}) || dot != 58f) {
                throw new BackendUnavailableException(path + " computes wrong results: cblas_sgemm of [1 2 3; 4 5 6] and"
                        + " [7 8; 9 10; 11 12] gave " + java.util.Arrays.toString(got) + " (expected [58.0, 64.0, 139.0, 154.0]),"
                        + " cblas_sdot gave " + dot + " (expected 58.0); not using it");
            }
        }
    }

    /** The file the library was loaded from. */
    public String path() {
        return path;
    }

    public Source source() {
        return source;
    }

    /** The bindings. */
    java.util.concurrent.locks.StampedLock threadCountLock() {
        return threadCount;
    }

    public Cblas cblas() {
        return cblas;
    }

    /** OpenBLAS's name for the kernels it chose for this CPU (e.g. Haswell, Zen, SkylakeX); empty elsewhere. */
    public Optional<String> coreName() {
        return cblas.coreName();
    }

    /** The library's current worker thread count; empty for a library without OpenBLAS's thread control. */
    public OptionalInt threads() {
        return cblas.numThreads().map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** OpenBLAS's build configuration (version, DYNAMIC_ARCH, threading, max threads); empty elsewhere. */
    public Optional<String> config() {
        return cblas.config();
    }

    /** Sets OpenBLAS's worker thread count (process-wide for this library); false when the library cannot. */
    public boolean setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        return cblas.setNumThreads(threads);
    }

    /** One line for logs and {@code info}: path, core, threads, config. */
    public String summary() {
        OptionalInt t = threads();
        return path + " (" + source.name().toLowerCase(java.util.Locale.ROOT) + ")"
                + ", core " + coreName().orElse("unknown (not OpenBLAS)")
                + ", " + (t.isPresent() ? t.getAsInt() + " threads" : "threads not controllable")
                + ", config " + config().orElse("unknown");
    }

    @Override
    public String toString() {
        return "BlasLibrary[" + summary() + "]";
    }
}
