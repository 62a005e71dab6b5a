package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library as the named module {@code dev.panamax}, the way a modular program uses it: a module that
 * requires it compiles against the exported API, cannot compile against a backend's internals, and runs
 * with {@code --enable-native-access=dev.panamax} as its only native-access grant (no warning about
 * restricted methods) and without {@code --add-modules jdk.incubator.vector}.
 */
class ModuleTest {

    /** The library's classes and its one module dependency (picocli), from this JVM's class path. */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean library = p.endsWith(Path.of("target", "classes"));
            boolean picocli = p.getFileName() != null && p.getFileName().toString().startsWith("picocli-");
            if (library || picocli) {
                entries.add(entry);
            }
        }
        assertEquals(2, entries.size(), "target/classes and the picocli jar on " + System.getProperty("java.class.path"));
        return String.join(File.pathSeparator, entries);
    }

    /** The bundled-OpenBLAS jar, if the class path has it (the blas backend's fallback library). */
    private static List<String> openBlasJar() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName() != null && Path.of(e).getFileName().toString().startsWith("openblas-"))
                .toList();
    }

    /**
     * Writes module {@code name} (requires dev.panamax; class app.Main with {@code mainSource}) under
     * {@code dir}/src and compiles it against the library's module path into {@code dir}/out/name;
     * returns javac's exit status, its messages in {@code diagnostics}.
     */
    private static int compileModule(Path dir, String name, String mainSource, ByteArrayOutputStream diagnostics)
            throws IOException {
        Path src = dir.resolve("src").resolve(name);
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module " + name + " { requires dev.panamax; }\n");
        Files.writeString(src.resolve("app/Main.java"), mainSource);
        return ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-d",
                dir.resolve("out").resolve(name).toString(), "--module-path", modulePath(),
                src.resolve("module-info.java").toString(), src.resolve("app/Main.java").toString());
    }

    @Test
    void aModuleThatRequiresPanamaxCompilesAndRunsWithNativeAccessForPanamaxAlone(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = compileModule(dir, "consumer", """
                package app;

                import dev.panamax.backend.Backend;
                import dev.panamax.backend.Backends;
                import dev.panamax.backend.FloatBlas;
                import dev.panamax.backend.MatrixOrder;
                import dev.panamax.backend.Transpose;

                public class Main {
                    public static void main(String[] args) {
                        float[] a = {1, 2, 3, 4};
                        float[] c = new float[4];
                        try (Backend backend = Backends.fromSystemProperties()) {
                            new FloatBlas(backend).sgemm(MatrixOrder.ROW_MAJOR, Transpose.NO_TRANSPOSE,
                                    Transpose.NO_TRANSPOSE, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, c, 0, 2);
                            System.out.println(backend.name() + " " + java.util.Arrays.toString(c));
                        }
                    }
                }
                """, diagnostics);
        assertEquals(0, rc, "the consumer module does not compile:\n" + diagnostics);
        String modules = modulePath();
        Path out = dir.resolve("out");

        for (String backend : List.of("scalar", "simd", "blas")) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", modules + File.pathSeparator + out.resolve("consumer"),
                    "--enable-native-access=dev.panamax", "-Dpanamax.backend=" + backend,
                    "-Dpanamax.blas.cache=" + System.getProperty("panamax.blas.cache", dir.resolve("blas").toString())));
            if (!openBlasJar().isEmpty()) {
                command.addAll(List.of("-cp", String.join(File.pathSeparator, openBlasJar())));
            }
            command.addAll(List.of("-m", "consumer/app.Main"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the consumer did not finish");
            assertEquals(0, p.exitValue(), backend + ":\n" + text);
            assertTrue(text.contains(backend + " [7.0, 10.0, 15.0, 22.0]"), backend + ":\n" + text);
            assertFalse(text.contains("restricted method"), "native access must be enough for dev.panamax:\n" + text);
        }
    }

    @Test
    void theBackendsAndTheirBindingsAreNotExported(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = compileModule(dir, "intruder", """
                package app;

                public class Main {
                    public static void main(String[] args) {
                        System.out.println(dev.panamax.backend.blas.ffi.Cblas.ROW_MAJOR);
                        System.out.println(dev.panamax.backend.blas.ffi.generated.cblas_h.CblasRowMajor());
                        System.out.println(dev.panamax.backend.ffi.generated.dlfcn_h.RTLD_LAZY());
                    }
                }
                """, diagnostics);
        assertNotEquals(0, rc, "a module must not reach the FFI bindings");
        for (String bindings : List.of("dev.panamax.backend.blas.ffi", "dev.panamax.backend.blas.ffi.generated",
                "dev.panamax.backend.ffi.generated")) {
            assertTrue(diagnostics.toString().contains("package " + bindings + " is not visible"), diagnostics.toString());
        }
    }
}
