package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/jextract-bindings against a stand-in jextract that records its arguments and writes the
 * committed files back (as the real one does when nothing changed): the script runs exactly the commands
 * the package docs record, with the jextract commit they name, and its {@code --check} passes on the
 * committed files and fails on any difference. Whether the real jextract writes those files byte for byte
 * is what {@code scripts/jextract-bindings --check} itself answers where jextract is installed.
 */
class JextractBindingsScriptTest {
    private static final Path SCRIPT = Path.of("scripts", "jextract-bindings").toAbsolutePath();
    /** Where the package docs say OpenBLAS's cblas.h was taken from; the runs here point at a stand-in. */
    private static final String DOCUMENTED_OPENBLAS_INCLUDE = "/usr/include/x86_64-linux-gnu";
    private static final Pattern COMMIT = Pattern.compile("openjdk/jextract commit ([0-9a-f]{40})");

    private record Run(int exit, String output, List<String> commands) {
    }

    /**
     * Runs the script with {@code args} and the stand-in jextract; {@code change} makes the stand-in
     * append a line to one file it writes. Each recorded command is written as the docs write it:
     * {@code jextract}, then the arguments, the output and the stand-in include folder by their documented names.
     */
    private static Run run(Path tmp, boolean change, String... args) throws Exception {
        return run(tmp, change, Map.of(), args);
    }

    private static Run run(Path tmp, boolean change, Map<String, String> extraEnv, String... args) throws Exception {
        Path log = tmp.resolve("jextract-args");
        Path fake = tmp.resolve("jextract");
        Files.writeString(fake, """
                #!/usr/bin/env bash
                printf '%s\\n' "$*" >> "$FAKE_JEXTRACT_LOG"
                while [ $# -gt 0 ]; do
                    case "$1" in --output) out=$2; shift ;; --target-package) package=$2; shift ;; esac
                    shift
                done
                dir=${package//.//}
                mkdir -p "$out/$dir"
                if [ -d "src/main/java/$dir" ]; then cp "src/main/java/$dir"/*.java "$out/$dir/"; fi
                if [ "$FAKE_JEXTRACT_CHANGE" = 1 ]; then echo '// changed' >> "$(ls "$out/$dir"/*.java | head -1)"; fi
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path include = Files.createDirectories(tmp.resolve("openblas-include"));
        Files.writeString(include.resolve("cblas.h"), "char *openblas_get_config(void);\n");

        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JEXTRACT", fake.toString());
        env.put("FAKE_JEXTRACT_LOG", log.toString());
        env.put("FAKE_JEXTRACT_CHANGE", change ? "1" : "0");
        env.put("OPENBLAS_INCLUDE", include.toString());
        env.put("TMPDIR", tmp.toString());
        env.remove("CUDA_HOME"); // the caller's toolkit must not decide what a run here finds
        env.remove("CUBLAS_INCLUDE");
        env.putAll(extraEnv);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "scripts/jextract-bindings did not finish:\n" + output);
        List<String> commands = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                commands.add(("jextract " + line).replaceFirst("--output \\S+", "--output src/main/java")
                        .replace(include.toString(), DOCUMENTED_OPENBLAS_INCLUDE));
            }
        }
        return new Run(p.exitValue(), output, commands);
    }

    /** The jextract command in a package doc's {@code <pre>{@code ...}</pre>} block, on one line. */
    private static String documentedCommand(String packageInfo) throws IOException {
        String doc = Files.readString(Path.of("src", "main", "java").resolve(packageInfo));
        int start = doc.indexOf("<pre>{@code");
        int end = doc.indexOf("}</pre>", start);
        assertTrue(start >= 0 && end > start, "no command block in " + packageInfo);
        StringBuilder command = new StringBuilder();
        for (String line : doc.substring(start + "<pre>{@code".length(), end).lines().toList()) {
            command.append(line.replaceFirst("^\\s*\\*", "").replaceFirst("\\\\\\s*$", "")).append(' ');
        }
        return command.toString().strip().replaceAll("\\s+", " ");
    }

    private static String commit(String text, String where) {
        Matcher m = COMMIT.matcher(text);
        assertTrue(m.find(), "no jextract commit named in " + where);
        return m.group(1);
    }

    @Test
    void itRunsTheCommandsThePackageDocsRecordAndTheCheckPassesOnTheCommittedFiles(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, false, "--check", "cblas", "dlfcn");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("match what jextract generates"), r.output());
        assertEquals(List.of(documentedCommand("dev/panamax/backend/blas/ffi/package-info.java"),
                documentedCommand("dev/panamax/backend/ffi/package-info.java")), r.commands());

        String docs = Files.readString(Path.of("src/main/java/dev/panamax/backend/ffi/package-info.java"));
        assertEquals(commit(docs, "the package doc of backend.ffi"), commit(Files.readString(SCRIPT), "the script"),
                "the script and the package doc name the same jextract");
    }

    @Test
    void anyDifferenceFromTheCommittedFilesFailsTheCheck(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, true, "--check", "cblas");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("src/main/java/dev/panamax/backend/blas/ffi/generated differs"), r.output());
        assertTrue(r.output().contains("> // changed") || r.output().contains("< // changed"), "diff shown:\n" + r.output());
    }

    /**
     * The CUDA part, with the toolkit's cuda.h and cuBLAS's cublas_v2.h in folders of their own (stand-ins
     * here, as the wheel and the toolkit lay them out): the script runs the two commands the package doc of
     * backend.cuda.ffi records, and the check passes on the committed packages.
     */
    @Test
    void itRunsTheCudaCommandsThePackageDocRecords(@TempDir Path tmp) throws Exception {
        Path cuda = Files.createDirectories(tmp.resolve("cuda").resolve("include"));
        Path cublas = Files.createDirectories(tmp.resolve("cublas").resolve("include"));
        Files.writeString(cuda.resolve("cuda.h"), "");
        Files.writeString(cublas.resolve("cublas_v2.h"), "");
        Run r = run(tmp, false, Map.of("CUDA_HOME", tmp.resolve("cuda").toString(), "CUBLAS_INCLUDE", cublas.toString()),
                "--check", "cuda");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("match what jextract generates"), r.output());
        String documented = documentedCommand("dev/panamax/backend/cuda/ffi/package-info.java")
                .replace(" jextract ", "\njextract ");
        List<String> commands = r.commands().stream().map(c -> c.replace(cuda.toString(), "/usr/local/cuda-13.0/include")
                .replace(cublas.toString(), "/opt/cublas/nvidia/cu13/include").strip()).toList();
        assertEquals(List.of(documented.split("\\n")), commands);
    }

    /** Without cuBLAS's header, the cuda part is refused when asked for by name, naming what to set. */
    @Test
    void askedForCudaWithoutCublasItSaysWhatToSet(@TempDir Path tmp) throws Exception {
        Path cuda = Files.createDirectories(tmp.resolve("cuda").resolve("include"));
        Files.writeString(cuda.resolve("cuda.h"), "");
        Run r = run(tmp, false, Map.of("CUDA_HOME", tmp.resolve("cuda").toString()), "--check", "cuda");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("no cublas_v2.h") && r.output().contains("CUBLAS_INCLUDE"), r.output());
        assertEquals(List.of(), r.commands(), "nothing generated");
    }

    @Test
    void withoutJextractItSaysWhatToInstallOrSet(@TempDir Path tmp) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--check").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JEXTRACT", tmp.resolve("no-jextract-here").toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(1, p.exitValue(), output);
        for (String part : List.of("jextract not found", "https://jdk.java.net/jextract", "JEXTRACT=")) {
            assertTrue(output.contains(part), "output should mention '" + part + "':\n" + output);
        }
    }
}
