package dev.panamax.backend.blas;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Panamax embedded twice in one JVM, as two applications in one server carry it: each copy, in a class
 * loader of its own, loads and binds the same OpenBLAS file. The bindings open libraries through
 * {@code SymbolLookup.libraryLookup}, which any number of class loaders may do for one file; jextract's
 * classes for plain functions would need {@code System.load}, which refuses a file that another class
 * loader loaded ("already loaded in another classloader").
 */
class TwoClassLoadersTest {

    static List<BlasLibrary> libraries() {
        return TestLibraries.all();
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void twoCopiesOfPanamaxBindTheSameLibraryFile(BlasLibrary lib) throws Exception {
        URL classes = BlasLibrary.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader one = new URLClassLoader(new URL[]{classes}, ClassLoader.getPlatformClassLoader());
             URLClassLoader two = new URLClassLoader(new URL[]{classes}, ClassLoader.getPlatformClassLoader())) {
            for (URLClassLoader loader : List.of(one, two)) {
                Class<?> copy = loader.loadClass(BlasLibrary.class.getName());
                assertNotSame(BlasLibrary.class, copy, "a copy of its own, not the test's class");
                Object loaded = copy.getMethod("loadFile", Path.class).invoke(null, Path.of(lib.path())); // checks one sgemm, one sdot
                assertEquals(lib.path(), copy.getMethod("path").invoke(loaded));
                String summary = (String) copy.getMethod("summary").invoke(loaded);
                assertTrue(summary.contains("OpenBLAS"), summary);
            }
            assertNotSame(one.loadClass(BlasLibrary.class.getName()), two.loadClass(BlasLibrary.class.getName()));
        }
    }
}
