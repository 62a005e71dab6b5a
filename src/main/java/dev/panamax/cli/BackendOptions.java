package dev.panamax.cli;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Which backend computes, and with how many threads. Shared by train, eval and bench. The options win;
 * without them -Dpanamax.backend and -Dpanamax.threads (as the library reads them, {@link Backends}) decide,
 * so that there is one source of truth for each setting and a bad value is refused either way.
 */
final class BackendOptions {
    @Option(names = "--backend", description = "scalar, simd, blas, cuda or auto (the fastest that loads). "
            + "Default: -Dpanamax.backend, else auto")
    String backend;

    @Option(names = "--threads", description = "Worker threads (0 = all cores, at most 8 per core). "
            + "Default: -Dpanamax.threads, else 0")
    Integer threads;

    /** Checks the option values before anything slow happens (usage error on a bad one). */
    void validate(CommandLine cl) {
        try {
            Backends.checkThreads(threads(), threads != null ? "--threads" : "-D" + Backends.THREADS_PROPERTY);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        String name = backend().toLowerCase(java.util.Locale.ROOT);
        String source = backend != null ? "--backend" : "-D" + Backends.BACKEND_PROPERTY;
        CliErrors.require(cl, name.equals("auto") || Backends.names().contains(name),
                source + ": unknown backend '" + backend() + "' (known: auto, " + String.join(", ", Backends.names()) + ")");
    }

    private String backend() {
        return backend != null ? backend.strip() : Backends.backendFromProperty();
    }

    private int threads() {
        return threads != null ? threads : Backends.threadsFromProperty();
    }

    Backend create() {
        return "auto".equalsIgnoreCase(backend()) ? Backends.best(threads()) : Backends.create(backend(), threads());
    }
}
