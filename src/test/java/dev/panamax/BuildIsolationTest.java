package dev.panamax;

import dev.panamax.backend.blas.BundledOpenBlas;
import dev.panamax.data.DatasetSources;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build keeps every test out of the user's home: the caches (bundled OpenBLAS, data sets) and
 * user.home itself point under target/, so that what an earlier `panamax train` left in ~/.cache
 * cannot change which library or which data a test gets, and no test writes there. The pom sets
 * these properties for every test JVM.
 */
class BuildIsolationTest {
    private static final Path BUILD = Path.of("target").toAbsolutePath().normalize();

    private static void assertInBuild(String what, Path path) {
        Path p = path.toAbsolutePath().normalize();
        assertTrue(p.startsWith(BUILD), what + " is " + p + ", outside the build folder " + BUILD);
        String home = System.getenv("HOME");
        if (home != null && !home.isBlank() && !BUILD.startsWith(Path.of(home).toAbsolutePath())) {
            assertFalse(p.startsWith(Path.of(home).toAbsolutePath()), what + " is in the user's home: " + p);
        }
    }

    @Test
    void theBundledOpenBlasCacheIsTheBuilds() {
        assertInBuild("the bundled OpenBLAS cache", BundledOpenBlas.defaultCacheRoot());
    }

    @Test
    void theDataSetCacheIsTheBuilds() {
        assertInBuild("the data set cache", DatasetSources.cacheRoot());
    }

    @Test
    void userHomeIsTheBuilds() {
        assertInBuild("user.home", Path.of(System.getProperty("user.home")));
    }
}
