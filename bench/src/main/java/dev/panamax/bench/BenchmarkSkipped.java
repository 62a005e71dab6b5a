package dev.panamax.bench;

/**
 * Thrown from a {@code @Setup} method when a parameter combination cannot or should not run here
 * (backend not available, scalar at a shape that would take minutes). JMH reports it as that
 * benchmark's failure and moves on; no result is recorded, so nothing is faked. The message carries
 * the whole reason, so the exception has no stack trace: JMH prints one line instead of forty.
 */
public final class BenchmarkSkipped extends RuntimeException {
    public BenchmarkSkipped(String reason) {
        super("SKIPPED: " + reason, null, false, false);
        System.err.println("panamax-bench: SKIPPED: " + reason);
    }
}
