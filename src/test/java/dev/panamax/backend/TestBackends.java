package dev.panamax.backend;

import org.junit.jupiter.api.Assumptions;

/** Backends for tests that run once per backend name. */
public final class TestBackends {
    private TestBackends() {
    }

    /** The backend {@code name}, or the test aborted (reported as skipped) with the backend's own reason. */
    public static Backend createOrAbort(String name, int threads) {
        try {
            return Backends.create(name, threads);
        } catch (BackendUnavailableException e) {
            Assumptions.abort(name + " unavailable here: " + e.getMessage());
            throw new AssertionError("unreachable: abort throws");
        }
    }
}
