package dev.panamax.cli;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Which backend computes, and with how many threads. Shared by train, eval and bench. */
final class BackendOptions {
    @Option(names = "--backend", description = "scalar, simd, blas, cuda or auto (the fastest that loads). "
            + "Default: ${DEFAULT-VALUE}")
    String backend = "auto";

    @Option(names = "--threads", description = "Worker threads (0 = all cores). Default: ${DEFAULT-VALUE}")
    int threads = 0;

    /** Checks the option values before anything slow happens (usage error on a bad one). */
    void validate(CommandLine cl) {
        CliErrors.require(cl, threads >= 0, "--threads must be >= 0 (0 = all cores), got " + threads);
        String name = backend.toLowerCase(java.util.Locale.ROOT).strip();
        CliErrors.require(cl, name.equals("auto") || Backends.names().contains(name),
                "--backend: unknown backend '" + backend + "' (known: auto, " + String.join(", ", Backends.names()) + ")");
    }

    Backend create() {
        return "auto".equalsIgnoreCase(backend) ? Backends.best(threads) : Backends.create(backend, threads);
    }
}
