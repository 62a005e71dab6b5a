package dev.panamax.backend;

import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Backends for tests that run once per backend name. */
public final class TestBackends {
    /**
     * System property naming, comma-separated, the only backends the per-backend tests run on; unset: every one
     * that loads. The surefire executions at other vector widths set it to {@code simd}: the JVM's vector flags
     * change only the Java Vector API's kernels, so scalar and OpenBLAS there would repeat the native run.
     */
    public static final String ONLY_PROPERTY = "panamax.test.backends";

    private TestBackends() {
    }

    /**
     * The backend names the per-backend tests run on: {@link Backends#names()}, or those {@value #ONLY_PROPERTY}
     * names, each of which must be a known backend (a misspelt name fails rather than testing nothing).
     */
    public static List<String> names() {
        if (!restricted()) {
            return Backends.names();
        }
        String only = System.getProperty(ONLY_PROPERTY);
        Set<String> names = new LinkedHashSet<>();
        for (String name : only.split(",")) {
            String n = name.trim();
            if (!Backends.names().contains(n)) {
                throw new IllegalStateException("-D" + ONLY_PROPERTY + "=" + only + ": no backend '" + n
                        + "' (known: " + Backends.names() + ")");
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    /**
     * The backends of {@link #names()} that load here, each created once; the caller closes them. Unrestricted, one
     * that does not load is left out (as {@link Backends#allAvailable} does); restricted, it fails the caller.
     */
    public static List<Backend> available(int threads) {
        List<Backend> out = new ArrayList<>();
        for (String name : names()) {
            try {
                out.add(Backends.create(name, threads));
            } catch (BackendUnavailableException e) {
                if (restricted()) {
                    out.forEach(Backend::close);
                    throw namedButMissing(name, e);
                }
            }
        }
        return out;
    }

    /**
     * The backend {@code name}, or the test aborted (reported as skipped) with the backend's own reason; where
     * {@value #ONLY_PROPERTY} restricts the tests, a named backend that does not load fails instead.
     */
    public static Backend createOrAbort(String name, int threads) {
        try {
            return Backends.create(name, threads);
        } catch (BackendUnavailableException e) {
            if (restricted()) {
                throw namedButMissing(name, e);
            }
            Assumptions.abort(name + " unavailable here: " + e.getMessage());
            throw new AssertionError("unreachable: abort throws");
        }
    }

    private static IllegalStateException namedButMissing(String name, BackendUnavailableException e) {
        return new IllegalStateException("-D" + ONLY_PROPERTY + " names " + name + ", which does not load here: "
                + e.getMessage(), e);
    }

    private static boolean restricted() {
        String only = System.getProperty(ONLY_PROPERTY);
        return only != null && !only.isBlank();
    }
}
