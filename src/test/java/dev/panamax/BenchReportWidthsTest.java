package dev.panamax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code scripts/bench-report --widths} (what {@code scripts/bench-widths} prints): one table over several
 * JMH result files, figures derived from stand-in results whose answers are worked out here by hand.
 * Needs python3, as the script does (the CI machine has Debian's).
 */
class BenchReportWidthsTest {
    private static final Path SCRIPT = Path.of("scripts", "bench-report").toAbsolutePath();

    private static String gemm(String backend, String threads, String shape, double usPerOp) {
        return "{\"benchmark\": \"dev.panamax.bench.GemmBench.gemm\", \"params\": {\"backend\": \"" + backend
                + "\", \"threads\": \"" + threads + "\", \"shape\": \"" + shape + "\"}, \"primaryMetric\": {\"score\": "
                + usPerOp + ", \"scoreUnit\": \"us/op\", \"scoreError\": 1.0}}";
    }

    private static String train(String backend, double stepsPerSecond) {
        return "{\"benchmark\": \"dev.panamax.bench.TrainStepBench.trainStep\", \"params\": {\"backend\": \"" + backend
                + "\", \"threads\": \"2\", \"batch\": \"128\", \"optimizer\": \"sgd(lr=0.1)\"}, \"primaryMetric\":"
                + " {\"score\": " + stepsPerSecond + ", \"scoreUnit\": \"ops/s\"}}";
    }

    private static String peak(double fmasPerUs) {
        return "{\"benchmark\": \"dev.panamax.bench.FmaPeakBench.fmaChains\", \"params\": {}, \"primaryMetric\":"
                + " {\"score\": " + fmasPerUs + ", \"scoreUnit\": \"ops/us\"}}";
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private record Result(int code, String out) {
    }

    @Test
    void oneTableWithEveryWidthsRatiosAndEachPeakShare(@TempDir Path dir) throws Exception {
        Path wide = dir.resolve("wide.json");
        Path narrow = dir.resolve("narrow.json");
        // 256^3 = 16,777,216 FMAs = 33.6 MFLOP: 400 us = 83.9 GFLOP/s, 500 us = 67.1 (simd/blas 1.25)
        Files.writeString(wide, "[" + String.join(",", gemm("simd", "1", "256x256x256:NN", 400),
                gemm("blas", "1", "256x256x256:NN", 500), train("simd", 1000), train("blas", 1250), peak(3600)) + "]");
        // at 128 bits: 800 us = 41.9 GFLOP/s against 400 us (0.50); the peak 3600 x 2 x 4 / 1000 = 28.8 GFLOP/s
        Files.writeString(narrow, "[" + String.join(",", gemm("simd", "1", "256x256x256:NN", 800),
                gemm("blas", "1", "256x256x256:NN", 400), peak(3600)) + "]");
        Result r = run("--widths", "native:512=" + wide, "128:128=" + narrow);
        assertEquals(0, r.code(), r.out());
        String row = r.out().lines().filter(l -> l.contains("256x256x256:NN")).findFirst().orElseThrow();
        assertTrue(row.matches(".*83\\.9\\s+67\\.1\\s+1\\.25\\s+41\\.9\\s+83\\.9\\s+0\\.50.*"), row);
        String step = r.out().lines().filter(l -> l.startsWith("train 128 sgd(lr=0.1)")).findFirst().orElseThrow();
        // 1000 steps/s x 128 = 128,000 samples/s against 160,000: 0.80; the narrow file has no training step
        assertTrue(step.matches(".*128,000\\s+160,000\\s+0\\.80\\s+-\\s+-\\s+-.*"), step);
        // the wide peak: 3600 FMAs/us x 2 x 16 lanes = 115.2 GFLOP/s; 83.9 of it is 73%
        assertTrue(r.out().contains("native (512-bit): FMA peak 115.2 GFLOP/s on one core; simd at 256x256x256:NN,"
                + " 1 thread: 83.9 GFLOP/s = 73% of it"), r.out());
        assertTrue(r.out().contains("128 (128-bit): FMA peak 28.8 GFLOP/s"), r.out());
    }

    @Test
    void aMalformedWidthArgumentIsAUsageError(@TempDir Path dir) throws Exception {
        Result bad = run("--widths", "native=" + dir.resolve("x.json"));
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("NAME:BITS=RESULT.json"), bad.out());
        Result missing = run("--widths", "native:512=" + dir.resolve("absent.json"));
        assertEquals(1, missing.code(), missing.out());
        assertTrue(missing.out().contains("cannot read"), missing.out());
    }
}
