package dev.panamax.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The warm-up drives every kernel of every backend through the checked facade without tripping a check. */
class KernelWarmupTest {
    @Test
    void everyBackendRunsEveryWarmupKernel() {
        for (Backend backend : Backends.allAvailable(2)) {
            try (backend) {
                double seconds = KernelWarmup.run(backend, 3, false);
                assertTrue(seconds >= 0 && Double.isFinite(seconds), backend.name() + ": " + seconds);
            }
        }
    }

    @Test
    void aNegativeCountIsRefused() {
        try (Backend scalar = Backends.create("scalar", 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelWarmup.run(scalar, -1));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
        }
    }
}
