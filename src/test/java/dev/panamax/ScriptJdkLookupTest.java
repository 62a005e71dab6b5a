package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/lib.sh's JDK version lookup against stand-in JDK folders: the version comes from the JDK's
 * {@code release} file without starting its JVM (every script looks at several JDKs, and a JVM probe
 * costs tens of milliseconds each), and from the JVM's own properties where there is no such file.
 */
class ScriptJdkLookupTest {
    private static final Path LIB = Path.of("scripts", "lib.sh").toAbsolutePath();

    private static Path jdk(Path dir, String release, String javaBody) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        if (release != null) {
            Files.writeString(dir.resolve("release"), release);
        }
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\n" + javaBody + "\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private static String major(Path java) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "source '" + LIB + "' && panamax_java_major '" + java + "'")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "lib.sh did not finish");
        return out;
    }

    @Test
    void theReleaseFileAnswersWithoutStartingTheJvm(@TempDir Path tmp) throws Exception {
        Path java = jdk(tmp.resolve("jdk-26"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"26.0.1\"\nJAVA_VERSION_DATE=\"2027-03-16\"\n",
                "echo started >> '" + tmp.resolve("started") + "'; exit 1");
        assertEquals("26", major(java));
        assertTrue(Files.notExists(tmp.resolve("started")), "the JVM was started although the release file names the version");
    }

    @Test
    void aJdkBuiltForAnotherArchitectureIsAskedAndSkippedWhenItCannotRun(@TempDir Path tmp) throws Exception {
        String other = System.getProperty("os.arch").contains("aarch64") ? "x86_64" : "aarch64";
        Path java = jdk(tmp.resolve("foreign"), "JAVA_VERSION=\"25.0.1\"\nOS_ARCH=\"" + other + "\"\n",
                "echo 'cannot execute binary file: Exec format error' >&2; exit 126");
        assertEquals("", major(java));
        Path amd64 = jdk(tmp.resolve("old-style"), "JAVA_VERSION=\"25.0.1\"\nOS_ARCH=\"amd64\"\n", "exit 1");
        if (System.getProperty("os.arch").equals("amd64")) {
            assertEquals("25", major(amd64), "amd64 is x86_64's older name");
        }
    }

    @Test
    void withoutAReleaseFileTheJvmIsAsked(@TempDir Path tmp) throws Exception {
        Path java = jdk(tmp.resolve("bare"), null, "echo '    java.specification.version = 21' >&2");
        assertEquals("21", major(java));
        Path odd = jdk(tmp.resolve("odd-release"), "JAVA_VERSION=\"\"\n", "echo '    java.specification.version = 25' >&2");
        assertEquals("25", major(odd), "a release file without a version falls back to the JVM");
    }
}
