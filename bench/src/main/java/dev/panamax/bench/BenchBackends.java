package dev.panamax.bench;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;

/** Opens a backend by name for a benchmark, turning "not available here" into a skip with the reason. */
public final class BenchBackends {
    private BenchBackends() {
    }

    public static Compute open(String name, int threads) {
        try {
            return new Compute(Backends.create(name, threads));
        } catch (BackendUnavailableException e) {
            throw new BenchmarkSkipped("backend " + name + " is not available: " + e.getMessage());
        }
    }

    /**
     * Scalar ignores the thread count, so running it at more than one thread would only repeat the
     * single-thread figure under another label.
     */
    public static void requireMeaningfulThreads(String name, int threads) {
        if (name.equals("scalar") && threads != 1) {
            throw new BenchmarkSkipped("backend scalar is single-threaded; threads=" + threads
                    + " would repeat the threads=1 result");
        }
    }
}
