package dev.panamax.backend;

import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        String only = System.getProperty(ONLY_PROPERTY);
        if (only == null || only.isBlank()) {
            return Backends.names();
        }
        List<String> names = new ArrayList<>();
        for (String name : only.split(",")) {
            String n = name.trim();
            if (!Backends.names().contains(n)) {
                throw new IllegalStateException("-D" + ONLY_PROPERTY + "=" + only + ": no backend '" + n
                        + "' (known: " + Backends.names() + ")");
            }
            names.add(n);
        }
        return names;
    }

    /**
     * Every backend of {@link #names()} that loads here ({@link Backends#allAvailable}, the others closed at once).
     * Where {@value #ONLY_PROPERTY} names them, each must load: a restriction to a backend that is missing fails.
     */
    public static List<Backend> available(int threads) {
        List<String> wanted = names();
        List<Backend> out = new ArrayList<>();
        for (Backend backend : Backends.allAvailable(threads)) {
            if (wanted.contains(backend.name())) {
                out.add(backend);
            } else {
                backend.close();
            }
        }
        String only = System.getProperty(ONLY_PROPERTY);
        if (only != null && !only.isBlank() && out.size() != wanted.size()) {
            out.forEach(Backend::close);
            throw new IllegalStateException("-D" + ONLY_PROPERTY + "=" + only + " names a backend that does not load: "
                    + Arrays.toString(wanted.toArray()) + "; " + Backends.survey(threads));
        }
        return out;
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
