package dev.panamax.backend;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A backend setting the user got wrong (-Dpanamax.simd.bits=300) is an error, not a backend silently skipped:
 * automatic selection would otherwise train on without the simd kernels (and the blas backend's elementwise
 * kernels would fall back to scalar). Each case runs in a JVM of its own, since a class's static set-up runs
 * once per JVM and is what refuses the setting.
 */
class RefusedSettingTest {

    /** The child: chooses a backend twice (the second time the class's initializer does not run again). */
    public static final class Child {
        public static void main(String[] args) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try (Backend b = Backends.best(1)) {
                    System.out.println("chose " + b.name() + ": " + b.describe());
                } catch (IllegalArgumentException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }
        }
    }

    private static List<String> runChild(String bits) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dpanamax.simd.bits=" + bits, "-Dpanamax.backend=auto",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("chose ") || l.startsWith("refused: ")).toList();
    }

    @Test
    void anInvalidCapIsRefusedOnEveryAttemptWithTheSettingNamed() throws Exception {
        List<String> outcomes = runChild("300");
        assertEquals(2, outcomes.size(), outcomes.toString());
        for (String o : outcomes) {
            assertTrue(o.startsWith("refused: ") && o.contains("panamax.simd.bits") && o.contains("'300'")
                    && o.contains("128, 256 or 512"), o);
        }
    }

    @Test
    void aValidCapIsNoError() throws Exception {
        List<String> outcomes = runChild("128");
        assertEquals(2, outcomes.size(), outcomes.toString());
        for (String o : outcomes) {
            assertTrue(o.startsWith("chose "), o);
        }
    }
}
