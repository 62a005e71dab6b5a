package dev.panamax.cli;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import picocli.CommandLine.Option;

/** Which backend computes, and with how many threads. Shared by train, eval and bench. */
final class BackendOptions {
    @Option(names = "--backend", description = "scalar, simd, blas, cuda or auto (the fastest that loads). "
            + "Default: ${DEFAULT-VALUE}")
    String backend = "auto";

    @Option(names = "--threads", description = "Worker threads (0 = all cores). Default: ${DEFAULT-VALUE}")
    int threads = 0;

    Backend create() {
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        return "auto".equalsIgnoreCase(backend) ? Backends.best(threads) : Backends.create(backend, threads);
    }
}
