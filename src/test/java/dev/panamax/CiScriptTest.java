package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * .ci/run against stand-ins for apt-get, id and mvn put first on PATH: an install that fails stops CI
 * with apt's own output before any test runs (the tests that need the packages would otherwise pass by
 * skipping), and when the installs succeed it runs the README's test command.
 */
class CiScriptTest {
    private static final Path CI = Path.of(".ci", "run").toAbsolutePath();

    private record Run(int exit, String output, boolean mavenRan, String mavenArgs) {
    }

    private static void script(Path dir, String name, String body) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs .ci/run as "root" with apt-get failing on {@code failingStep} ("update", "install" or none). */
    private static Run run(Path tmp, String failingStep) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path mavenLog = tmp.resolve("mvn-args");
        script(bin, "id", "echo 0");
        script(bin, "apt-get", "if [ \"$1\" = \"" + failingStep + "\" ]; then echo \"E: stand-in apt cannot $1\"; exit 100; fi\nexit 0");
        script(bin, "mvn", "echo \"$(basename \"$PWD\"): $@\" >> '" + mavenLog + "'\nexit 0");
        ProcessBuilder pb = new ProcessBuilder("bash", CI.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), ".ci/run did not finish:\n" + output);
        boolean ran = Files.exists(mavenLog);
        return new Run(p.exitValue(), output, ran, ran ? Files.readString(mavenLog).strip() : "");
    }

    @Test
    void aFailingPackageListUpdateStopsCiBeforeAnyTest(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "update");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("apt-get update failed") && r.output().contains("E: stand-in apt cannot update"),
                r.output());
        assertFalse(r.mavenRan(), "tests ran after a failed update");
    }

    @Test
    void aFailingInstallStopsCiBeforeAnyTest(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "install");
        assertEquals(1, r.exit(), r.output());
        for (String part : List.of("apt-get install", "failed", "dataset-fashion-mnist", "libopenblas0-pthread",
                "E: stand-in apt cannot install")) {
            assertTrue(r.output().contains(part), "output should mention '" + part + "':\n" + r.output());
        }
        assertFalse(r.mavenRan(), "tests ran after a failed install");
    }

    @Test
    void successfulInstallsRunTheReadmesTestCommand(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "none");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.mavenRan(), "scripts/test did not run Maven:\n" + r.output());
        String root = CI.getParent().getParent().getFileName().toString();
        // the README's test command, then the Spark project's tests (scripts/test-spark installs the library first)
        assertEquals(root + ": -B test\n" + root + ": -q -B install -DskipTests\nspark: -B test", r.mavenArgs());
    }
}
