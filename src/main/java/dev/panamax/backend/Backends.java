package dev.panamax.backend;

import dev.panamax.backend.scalar.ScalarBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The registry of backends and their selection.
 *
 * <p>Adding a backend is one folder under {@code backend/} plus one line in {@link #PROVIDERS}.
 * Automatic selection tries providers by priority, runs {@link BackendSelfCheck} on the one that
 * loads, and logs once (to stderr) why each skipped one could not load or failed the check.
 * {@code -Dpanamax.backend=NAME} forces a choice, with no self-check, and fails with the reason.
 */
public final class Backends {
    /** System property that forces a backend. */
    public static final String BACKEND_PROPERTY = "panamax.backend";
    /** System property for the worker thread count (0 or absent = all cores). */
    public static final String THREADS_PROPERTY = "panamax.threads";

    private static final List<BackendProvider> PROVIDERS = List.of(
            provider("scalar", 0, threads -> new ScalarBackend()),
            provider("simd", 10, reflective("dev.panamax.backend.simd.SimdBackend")),
            provider("blas", 20, reflective("dev.panamax.backend.blas.BlasBackend")),
            provider("cuda", 30, reflective("dev.panamax.backend.cuda.CudaBackend")));

    private static final Map<String, Boolean> LOGGED = new ConcurrentHashMap<>();
    /** Backend classes whose static set-up refused a setting, with that first refusal (see unavailableOrRefused). */
    private static final Map<String, IllegalArgumentException> REFUSED = new ConcurrentHashMap<>();

    private Backends() {
    }

    /**
     * The registered backends' names, whether or not they load here.
     *
     * @return scalar, simd, blas, cuda, in registration order
     */
    public static List<String> names() {
        return PROVIDERS.stream().map(BackendProvider::name).toList();
    }

    /**
     * Creates the named backend or throws {@link BackendUnavailableException} saying why not.
     *
     * @param name    a name from {@link #names()}, in any case
     * @param threads worker threads for the backends that use them; 0 means one per core
     * @return the backend, owned by the caller (close it)
     * @throws BackendUnavailableException if the backend cannot load here; the message says what to install or set
     * @throws IllegalArgumentException if no backend has that name, or the backend refused a setting (e.g. an
     *                                  invalid {@code -Dpanamax.simd.bits})
     */
    public static Backend create(String name, int threads) {
        String key = name.toLowerCase(Locale.ROOT).strip();
        for (BackendProvider p : PROVIDERS) {
            if (p.name().equals(key)) {
                return p.create(threads);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "' (known: " + String.join(", ", names()) + ")");
    }

    /**
     * The backend chosen by {@code -Dpanamax.backend} when set, else the fastest that loads.
     * Thread count from {@code -Dpanamax.threads} (default: all cores).
     *
     * @return the backend, owned by the caller (close it)
     * @throws BackendUnavailableException if the forced backend cannot load here
     * @throws IllegalArgumentException if a property names no backend or is not a valid thread count, or a
     *                                  backend refused a setting (e.g. an invalid {@code -Dpanamax.simd.bits})
     */
    public static Backend fromSystemProperties() {
        int threads = threadsFromProperty();
        String forced = backendFromProperty();
        return forced.equalsIgnoreCase("auto") ? best(threads) : create(forced, threads);
    }

    /**
     * The most worker threads a backend takes: 8 per core. More only add switching (the kernels are
     * compute-bound and split work evenly), and a mistyped count would otherwise create threads until
     * the machine refuses.
     *
     * @return 8 times the processors available to the JVM
     */
    public static int maxThreads() {
        return 8 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * Refuses a thread count below 0 or above {@link #maxThreads()}, naming {@code source} (the option or property).
     *
     * @param threads the count to check
     * @param source  where it came from, for the message (e.g. {@code --threads})
     * @throws IllegalArgumentException if the count is out of range
     */
    public static void checkThreads(int threads, String source) {
        if (threads < 0 || threads > maxThreads()) {
            throw new IllegalArgumentException(source + " must be between 0 (all cores) and " + maxThreads() + " (8 per core on "
                    + Runtime.getRuntime().availableProcessors() + " cores), got " + threads);
        }
    }

    /**
     * {@code -Dpanamax.threads}, checked: 0 when absent; a value that is not a count is refused, not read as 0.
     *
     * @return the thread count, 0 meaning one per core
     * @throws IllegalArgumentException if the property is not a whole number in range
     */
    public static int threadsFromProperty() {
        String text = System.getProperty(THREADS_PROPERTY);
        if (text == null || text.isBlank()) {
            return 0;
        }
        int threads;
        try {
            threads = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + text + " is not a whole number of threads"
                    + " (0 = all cores)");
        }
        checkThreads(threads, "-D" + THREADS_PROPERTY);
        return threads;
    }

    /**
     * {@code -Dpanamax.backend}, or "auto" when absent.
     *
     * @return the property's value, stripped, or "auto"
     */
    public static String backendFromProperty() {
        String forced = System.getProperty(BACKEND_PROPERTY);
        return forced == null || forced.isBlank() ? "auto" : forced.strip();
    }

    /**
     * The highest-priority backend that loads (cuda, blas, simd, scalar) and passes
     * {@link BackendSelfCheck}; logs each skipped backend's reason once, to stderr.
     *
     * @param threads worker threads for the backends that use them; 0 means one per core
     * @return the backend, owned by the caller (close it)
     * @throws IllegalArgumentException if a backend refused a setting (e.g. an invalid {@code -Dpanamax.simd.bits}):
     *                                  the user's error, not a backend to skip
     */
    public static Backend best(int threads) {
        return best(PROVIDERS, threads, (name, reason) -> {
            if (LOGGED.putIfAbsent(name, Boolean.TRUE) == null) {
                System.err.println("panamax: backend " + name + " skipped: " + reason);
            }
        });
    }

    /** {@link #best(int)} over {@code providers}, each skipped one reported to {@code skipped} (name, reason). */
    static Backend best(List<BackendProvider> providers, int threads, BiConsumer<String, String> skipped) {
        List<BackendProvider> byPriority = new ArrayList<>(providers);
        byPriority.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        for (BackendProvider p : byPriority) {
            try {
                return selfChecked(p.create(threads));
            } catch (BackendUnavailableException e) {
                skipped.accept(p.name(), e.getMessage());
            }
        }
        throw new IllegalStateException("no backend loaded and passed its self-check, not even scalar");
    }

    // the backend if it passes the self-check; else it is closed, and the failure thrown with the backend's
    // description (which device or library) and how to force it anyway
    private static Backend selfChecked(Backend backend) {
        try {
            BackendSelfCheck.verify(backend);
            return backend;
        } catch (BackendUnavailableException e) {
            BackendUnavailableException named = new BackendUnavailableException(e.getMessage() + "; the backend: "
                    + backend.describe() + " (-D" + BACKEND_PROPERTY + "=" + backend.name() + " forces it anyway)", e);
            closeAfterFailure(backend, named);
            throw named;
        } catch (Throwable t) {
            closeAfterFailure(backend, t); // an Error from a kernel's first use: not this backend's to keep
            throw t;
        }
    }

    private static void closeAfterFailure(Backend backend, Throwable failure) {
        try {
            backend.close();
        } catch (RuntimeException closing) {
            failure.addSuppressed(closing);
        }
    }

    /**
     * Each backend with its status: the backend's description, or why it is unavailable. Every backend
     * that loads is created, self-checked ({@link BackendSelfCheck}) and closed again.
     *
     * @param threads worker threads for the backends that use them; 0 means one per core
     * @return name to "available: ..." or "unavailable: ...", in registration order
     */
    public static Map<String, String> survey(int threads) {
        Map<String, String> out = new LinkedHashMap<>();
        for (BackendProvider p : PROVIDERS) {
            try (Backend b = p.create(threads)) {
                String status;
                try {
                    BackendSelfCheck.verify(b);
                    status = "available: ";
                } catch (BackendUnavailableException e) {
                    status = "loads, but automatic selection skips it (" + e.getMessage() + "): ";
                }
                out.put(p.name(), status + b.describe());
            } catch (BackendUnavailableException e) {
                out.put(p.name(), "unavailable: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                out.put(p.name(), "unavailable: " + e.getMessage()); // a refused setting: info shows it, not dies of it
            }
        }
        return out;
    }

    /**
     * Every backend that loads here, scalar first; used by tests to run on all of them.
     *
     * @param threads worker threads for the backends that use them; 0 means one per core
     * @return the backends, each owned by the caller (close them)
     */
    public static List<Backend> allAvailable(int threads) {
        List<Backend> out = new ArrayList<>();
        for (BackendProvider p : PROVIDERS) {
            try {
                out.add(p.create(threads));
            } catch (BackendUnavailableException e) {
                // skipped by design: tests iterate over what loads; survey() reports the reasons
            }
        }
        return out;
    }

    static BackendProvider provider(String name, int priority, IntFunction<Backend> factory) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Backend create(int threads) {
                return factory.apply(threads);
            }
        };
    }

    /**
     * Loads a backend class by name so that a backend whose classes need an optional module
     * (jdk.incubator.vector) or are not built yet degrades to "unavailable" instead of failing
     * the whole registry. The class needs a public constructor taking the thread count.
     */
    private static IntFunction<Backend> reflective(String className) {
        return threads -> {
            Class<?> cls;
            try {
                cls = Class.forName(className);
            } catch (ClassNotFoundException e) {
                throw new BackendUnavailableException(className + " is not on the class path (" + e.getMessage() + ")");
            } catch (LinkageError e) {
                throw unavailableOrRefused(className, e); // its static set-up failed, or a module it needs is missing
            }
            try {
                return (Backend) cls.getConstructor(int.class).newInstance(threads);
            } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof BackendUnavailableException bue) {
                    throw bue;
                }
                if (cause instanceof IllegalArgumentException refused) {
                    throw refused; // a setting refused inside the constructor (blas creating simd's kernels, say)
                }
                if (cause instanceof LinkageError le) {
                    throw unavailableOrRefused(className, le);
                }
                throw new BackendUnavailableException("failed to start: " + cause, cause);
            } catch (LinkageError e) {
                throw unavailableOrRefused(className, e);
            } catch (ReflectiveOperationException e) {
                throw new BackendUnavailableException("cannot instantiate " + className + ": " + e, e);
            }
        };
    }

    // A static set-up that refused a setting the user made (-Dpanamax.simd.bits=300 throws IllegalArgumentException
    // from SimdHardware's initializer) is the user's error to hear about, not a backend to skip: automatic selection
    // would otherwise run on without it, slower, and the blas backend's elementwise kernels fall back to scalar.
    // The JVM runs a class's initializer once: later uses get a NoClassDefFoundError without the original
    // exception, so the first refusal is kept here and thrown again for them.
    private static RuntimeException unavailableOrRefused(String className, LinkageError e) {
        IllegalArgumentException earlier = REFUSED.get(className);
        if (earlier != null) {
            return earlier;
        }
        Throwable root = rootCause(e);
        if (root instanceof IllegalArgumentException refused && e instanceof ExceptionInInitializerError) {
            String simple = className.substring(className.lastIndexOf('.') + 1);
            IllegalArgumentException named = new IllegalArgumentException(simple + " refused a setting: "
                    + refused.getMessage(), refused);
            REFUSED.putIfAbsent(className, named);
            return named;
        }
        return new BackendUnavailableException(describeLinkage(e), e);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describeLinkage(LinkageError e) {
        if (e instanceof ExceptionInInitializerError || e.getCause() instanceof ExceptionInInitializerError) {
            // a backend's static set-up failed, now or on an earlier use of the class (NoClassDefFoundError
            // then carries that first failure): say why
            Throwable root = rootCause(e);
            return "failed to start: " + (root.getMessage() == null ? root : root.getMessage());
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("jdk/incubator/vector") || msg.contains("jdk.incubator.vector")) {
            return "the Vector API module is not loaded: run java with --add-modules jdk.incubator.vector";
        }
        return e.getClass().getSimpleName() + ": " + msg;
    }
}
