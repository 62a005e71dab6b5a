package dev.panamax.backend.cuda;

import dev.panamax.backend.BackendUnavailableException;

/**
 * {@code java -cp panamax.jar dev.panamax.backend.cuda.GpuCheck}: the GPU test suite without JUnit,
 * for machines that have a GPU but no build tools ({@code scripts/gpu-check run}). Runs every
 * {@link CudaEquivalence} check against the scalar reference and prints one line per check,
 * {@code PASS name} or {@code FAIL name: what differs}, then a summary.
 *
 * <p>Exit status: 0 all passed, 1 some failed, 2 the cuda backend is unavailable here (reason printed).
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) {
        CudaBackend backend;
        try {
            backend = new CudaBackend(0);
        } catch (BackendUnavailableException e) {
            System.out.println("FAIL cuda backend unavailable: " + e.getMessage());
            System.exit(2);
            return;
        }
        int passed = 0;
        int failed = 0;
        long start = System.nanoTime();
        try (backend) {
            System.out.println("cuda: " + backend.describe());
            for (CudaEquivalence.Check check : new CudaEquivalence(backend).checks()) {
                try {
                    check.run();
                    System.out.println("PASS " + check.name());
                    passed++;
                } catch (RuntimeException e) {
                    System.out.println("FAIL " + check.name() + ": " + e);
                    failed++;
                }
            }
        }
        System.out.printf("%d passed, %d failed (%.1f s)%n", passed, failed, (System.nanoTime() - start) / 1e9);
        System.exit(failed == 0 ? 0 : 1);
    }
}
