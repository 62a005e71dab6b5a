package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/lib.sh's JIT flags: C2's register scheduler is turned off (so the simd backend takes its 6-row AVX2
 * tile) exactly on x86 without AVX-512, or where the JVM options ask for AVX2 or less, unless told to keep it;
 * and the emulated avx2 width carries the same flag. Stand-in cpuinfo files, so no test depends on this CPU.
 */
class ScriptJitFlagsTest {
    private static final Path LIB = Path.of("scripts", "lib.sh").toAbsolutePath();

    private static String run(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail; source '" + LIB + "' && " + script).redirectErrorStream(true);
        pb.environment().remove("PANAMAX_JAVA_OPTS");
        pb.environment().remove("PANAMAX_C2_SCHEDULER");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "lib.sh did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static String flags(Path cpuinfo, String arch, Map<String, String> env) throws Exception {
        return run("panamax_jit_flags '" + cpuinfo + "' " + arch + " && echo \"[${PANAMAX_JIT_FLAGS[*]:-}]\"", env);
    }

    @Test
    void theSchedulerIsOffOnX86WithoutAvx512AndWhereAvx2IsAskedFor(@TempDir Path tmp) throws Exception {
        Path avx2 = Files.writeString(tmp.resolve("zen3"), "flags\t\t: fpu sse sse2 avx fma avx2 bmi2\n");
        Path avx512 = Files.writeString(tmp.resolve("zen4"), "flags\t\t: fpu sse avx fma avx2 avx512f avx512vl\n");
        String off = "[-XX:+IgnoreUnrecognizedVMOptions -XX:-OptoRegScheduling]";
        assertEquals(off, flags(avx2, "x86_64", Map.of()));
        assertEquals("[]", flags(avx512, "x86_64", Map.of()));
        assertEquals(off, flags(avx512, "x86_64", Map.of("PANAMAX_JAVA_OPTS", "-Xmx2g -XX:UseAVX=2")));
        assertEquals("[]", flags(avx512, "x86_64", Map.of("PANAMAX_JAVA_OPTS", "-XX:UseAVX=3")));
        assertEquals("[]", flags(avx2, "x86_64", Map.of("PANAMAX_C2_SCHEDULER", "keep")));
        assertEquals("[]", flags(avx2, "aarch64", Map.of()), "32 registers on aarch64: nothing to change");
    }

    @Test
    void theEmulatedAvx2WidthCarriesTheFlagUnlessKept() throws Exception {
        String width = "panamax_width_settings avx2 && echo \"${PANAMAX_WIDTH_JVM[*]}\"";
        assertTrue(run(width, Map.of()).matches(".*-XX:UseAVX=2 .*-XX:-OptoRegScheduling.*"));
        assertTrue(!run(width, Map.of("PANAMAX_C2_SCHEDULER", "keep")).contains("OptoRegScheduling"));
    }
}
