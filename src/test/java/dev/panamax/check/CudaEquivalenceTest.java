package dev.panamax.check;

import dev.panamax.backend.cuda.CudaBackend;
import dev.panamax.backend.BackendUnavailableException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every cuda kernel against the scalar reference, and a few training steps ({@link CudaEquivalence}
 * has the checks and their tolerances); every failing check is reported, by name. Needs a GPU:
 * skipped with the backend's reason elsewhere. Run alone with {@code scripts/test -Dgroups=gpu}; on a
 * machine without Maven, scripts/gpu-check run executes the same checks through {@link GpuCheck}.
 */
@Tag("gpu")
class CudaEquivalenceTest {

    @Test
    void everyKernelMatchesTheReference() {
        CudaBackend backend = null;
        try {
            backend = new CudaBackend(0);
        } catch (BackendUnavailableException e) {
            Assumptions.abort("cuda backend unavailable: " + e.getMessage());
        }
        try (CudaBackend gpu = backend) {
            assertAll(new CudaEquivalence(gpu).checks().stream().map(c -> (Executable) () -> {
                try {
                    c.run();
                } catch (CudaEquivalence.CheckFailed e) {
                    fail(c.name() + ": " + e.getMessage());
                }
            }));
        }
    }
}
