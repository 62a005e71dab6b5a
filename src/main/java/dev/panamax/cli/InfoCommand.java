package dev.panamax.cli;

import dev.panamax.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** {@code panamax info}: the JVM, the vector species, and every backend's status. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the Java version, the Vector API species, and which backends load here (and why not).")
final class InfoCommand implements Runnable {

    @Option(names = "--threads", description = "Worker threads for the backends (0 = all cores). Default: ${DEFAULT-VALUE}")
    int threads = 0;

    @Override
    public void run() {
        System.out.printf("Java        %s (%s, %s)%n", Runtime.version(), System.getProperty("java.vm.name"),
                System.getProperty("java.vendor"));
        System.out.printf("OS / CPU    %s %s, %d cores%n", System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("Vector API  %s%n", VectorInfo.describe());
        System.out.println("SIMD kernels (chosen once, from the hardware):");
        for (String line : VectorInfo.kernelChoice()) {
            System.out.printf("  %s%n", line);
        }
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        if (coretype != null) {
            System.out.printf("Env         OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s%n", coretype,
                    System.getenv("OPENBLAS_L2_SIZE"));
        }
        Backends.checkThreads(threads, "--threads");
        System.out.println("Backends:");
        for (Map.Entry<String, String> e : Backends.survey(threads).entrySet()) {
            System.out.printf("  %-7s %s%n", e.getKey(), e.getValue());
        }
    }
}
