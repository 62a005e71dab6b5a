package dev.panamax.backend;

/**
 * How a backend is found and created. {@link #create(int)} throws {@link BackendUnavailableException}
 * with a reason a person can act on when the backend cannot load here.
 */
interface BackendProvider {
    /** The name used by {@code -Dpanamax.backend}. */
    String name();

    /** Higher is preferred by automatic selection. */
    int priority();

    /** Creates the backend with {@code threads} worker threads (0 = the number of cores). */
    Backend create(int threads);
}
