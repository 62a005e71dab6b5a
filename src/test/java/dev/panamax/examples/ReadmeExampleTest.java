package dev.panamax.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's embedding example, taken from the README itself (the java block after the marker
 * {@code <!-- readme-example:NAME -->}), compiled against the library as built and run in a JVM of its own
 * with the flags the README gives: its output must be what the README says it prints.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("README.md");

    @Test
    void theEmbeddingExampleCompilesRunsAndPrintsWhatTheReadmeSays(@TempDir Path dir) throws Exception {
        String source = example("EmbedExample");
        Path file = dir.resolve("EmbedExample.java");
        Files.writeString(file, source);
        String classPath = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "--add-modules", "jdk.incubator.vector", "-cp", classPath,
                "-d", dir.toString(), file.toString());
        assertEquals(0, rc, "the README example does not compile:\n" + diagnostics);

        List<String> available = new java.util.ArrayList<>();
        for (dev.panamax.backend.Backend b : dev.panamax.backend.Backends.allAvailable(1)) {
            available.add(b.name());
            b.close();
        }
        assertTrue(available.contains("scalar"), "scalar always loads");
        for (String backend : available) {
            String out = run(dir, classPath, backend);
            assertTrue(out.contains("C = [58.0, 64.0, 139.0, 154.0]"), backend + ":\n" + out);
            assertTrue(out.contains("dot = 32.0"), backend + ":\n" + out);
        }
    }

    private static String run(Path dir, String classPath, String backend) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dpanamax.backend=" + backend,
                "-Dpanamax.blas.cache=" + System.getProperty("panamax.blas.cache", dir.resolve("blas").toString()),
                "-cp", dir + java.io.File.pathSeparator + classPath, "EmbedExample")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example did not finish");
        assertEquals(0, p.exitValue(), "the example failed on " + backend + ":\n" + out);
        return out;
    }

    // the java block that follows the marker for `name`
    private static String example(String name) throws IOException {
        String readme = Files.readString(README);
        Matcher m = Pattern.compile("<!-- readme-example:" + name + " -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "README.md has no example marked readme-example:" + name);
        return m.group(1);
    }
}
