package dev.panamax.backend.cuda;

import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.panamax.backend.cuda.CudaLibrariesTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a GPU the backend says why and what to install or set, through every way of asking. */
class CudaBackendUnavailableTest {

    @Test
    void badPropertyFolderFailsTheBackendNamingTheProperty(@TempDir Path dir) {
        String before = System.getProperty(CudaLibraries.LIB_PROPERTY);
        Path missing = dir.resolve("missing");
        System.setProperty(CudaLibraries.LIB_PROPERTY, missing.toString());
        try {
            var e = assertThrows(BackendUnavailableException.class, () -> Backends.create("cuda", 1));
            assertMentions(e.getMessage(), "-Dpanamax.cuda.lib=" + missing, "does not exist");
        } finally {
            if (before == null) {
                System.clearProperty(CudaLibraries.LIB_PROPERTY);
            } else {
                System.setProperty(CudaLibraries.LIB_PROPERTY, before);
            }
        }
    }

    @Test
    void noDriverSaysWhatToInstallOrSet() {
        Assumptions.assumeFalse(CudaLibrariesTest.systemHas(CudaLibraries.DRIVER_SONAME),
                "a CUDA driver is installed here, so the no-driver path cannot be shown");
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.create("cuda", 1));
        assertMentions(e.getMessage(), "libcuda.so.1", "install the NVIDIA driver", "-Dpanamax.cuda.lib=DIR");
        String status = Backends.survey(1).get("cuda");
        assertTrue(status.startsWith("unavailable: ") && status.contains("libcuda.so.1"), status);
    }
}
