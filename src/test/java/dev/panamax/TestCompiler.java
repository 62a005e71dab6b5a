package dev.panamax;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The system C++ compiler, for the stand-in native libraries of src/test/native. */
public final class TestCompiler {
    private TestCompiler() {
    }

    /** c++ or g++ on the PATH, or null. */
    public static String find() {
        for (String name : new String[] {"c++", "g++"}) {
            for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, name))) {
                    return Path.of(folder, name).toString();
                }
            }
        }
        return null;
    }

    /**
     * The compiler, or the test aborted where there is none; in CI, whose script installs g++, a missing
     * compiler fails the test: there it is a broken set-up, not a reason to skip.
     */
    public static String require(String purpose) {
        String compiler = find();
        String missing = "no C++ compiler (c++ or g++) to build " + purpose + ": apt-get install g++";
        assertFalse(compiler == null && System.getenv("CI") != null, missing + " (.ci/run should have)");
        org.junit.jupiter.api.Assumptions.assumeTrue(compiler != null, missing);
        return compiler;
    }

    /** Compiles {@code source} (under src/test/native) into the shared library {@code output}. */
    public static void sharedLibrary(String compiler, String source, Path output, List<String> extra)
            throws IOException, InterruptedException {
        Path file = Path.of("src", "test", "native", source);
        assertTrue(Files.isRegularFile(file), "missing " + file.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(compiler, "-x", "c++", "-std=c++17", "-shared", "-fPIC", "-O1",
                "-o", output.toString(), file.toString()));
        command.addAll(extra);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the compiler did not finish");
        assertEquals(0, p.exitValue(), "compiling " + file + " failed:\n" + out);
    }
}
