package dev.panamax.bench;

import dev.panamax.backend.Compute;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * simd against blas on the same GEMMs in one JVM, in alternating blocks: the ratio for a machine whose speed
 * drifts. GemmBench runs each backend in its own JVM one after the other, so a host that is busier for the
 * minute one backend runs moves the ratio with it; on shared VMs that drift has been as large as the
 * differences measured (one GemmBench run put simd at 0.67-0.73 of OpenBLAS at six shapes, the next at
 * 0.98 at one of them, same build and flags). Here both backends are warmed together, then measured in
 * rounds: each round times a block of calls on one backend, then a block on the other (the order swaps
 * every round), and the round's ratio is blas's time per call over simd's (above 1: simd is faster). The
 * figure is the median of the rounds' ratios, with their range; a drift slower than a round cancels out.
 *
 * <p>Between blocks the thread sleeps {@link #SETTLE_MS}: OpenBLAS's idle workers busy-wait for a while
 * after a call, as simd's do for about 50 us, and must not take a core from the other backend's block.
 *
 * <p>Run with {@code scripts/bench-paired} (it passes the JVM flags and the options below):
 * {@code [--threads N] [--rounds R] [--block-ms T] [--warmup-s W] [SHAPE ...]}, shapes as in GemmBench
 * ({@code 128x256x784:NT}); its default shapes are GemmBench's.
 */
public final class PairedGemmBench {
    /** Pause after each block, outside the timing: longer than the idle spin of either backend's workers. */
    static final long SETTLE_MS = 150;

    private PairedGemmBench() {
    }

    /** One backend's tensors and facade for one shape. */
    private record Side(String name, Compute compute, Tensor a, Tensor b, Tensor c) {
        void call(GemmShape g) {
            compute.gemm(g.transA(), g.transB(), 1f, a, b, 0f, c);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = 1;
        int rounds = 15;
        long blockMs = 200;
        double warmupS = 5;
        List<String> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = positive(args, ++i);
                case "--rounds" -> rounds = positive(args, ++i);
                case "--block-ms" -> blockMs = positive(args, ++i);
                case "--warmup-s" -> warmupS = positive(args, ++i);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + " (--threads N, --rounds R, --block-ms T, --warmup-s W, then shapes)");
                    }
                    shapes.add(args[i]);
                }
            }
        }
        if (shapes.isEmpty()) {
            shapes.addAll(List.of("128x256x784:NT", "256x784x128:TN", "128x784x256:NN", "128x10x256:NT",
                    "10x256x128:TN", "128x256x10:NN", "32x256x784:NT", "512x256x784:NT", "256x256x256:NN",
                    "1024x1024x1024:NN", "2048x2048x2048:NN"));
        }
        List<GemmShape> parsed = shapes.stream().map(GemmShape::parse).toList();
        try (Compute simd = BenchBackends.open("simd", threads); Compute blas = BenchBackends.open("blas", threads);
             Arena arena = Arena.ofShared()) {
            System.out.printf(Locale.ROOT, "paired GEMM, %d thread%s, %d rounds of %d ms blocks after %.0f s of warm-up%n",
                    threads, threads == 1 ? "" : "s", rounds, blockMs, warmupS);
            System.out.println("simd: " + simd.backend().describe());
            System.out.println("blas: " + blas.backend().describe());
            System.out.println();
            System.out.println("| shape | simd us | blas us | simd GFLOP/s | blas GFLOP/s | simd/blas (median of rounds) | range |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            for (GemmShape g : parsed) {
                SplittableRandom rng = new SplittableRandom(42);
                Tensor a = RandomTensors.uniform(arena, rng, -1f, 1f, g.aShape());
                Tensor b = RandomTensors.uniform(arena, rng, -1f, 1f, g.bShape());
                Side s = new Side("simd", simd, a, b, Tensor.allocate(arena, g.m(), g.n()));
                Side o = new Side("blas", blas, a, b, Tensor.allocate(arena, g.m(), g.n()));
                long warmEnd = System.nanoTime() + (long) (warmupS * 1e9);
                while (System.nanoTime() < warmEnd) {
                    block(s, g, blockMs);
                    block(o, g, blockMs);
                }
                double[] simdUs = new double[rounds];
                double[] blasUs = new double[rounds];
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    if (r % 2 == 0) {
                        simdUs[r] = block(s, g, blockMs);
                        blasUs[r] = block(o, g, blockMs);
                    } else {
                        blasUs[r] = block(o, g, blockMs);
                        simdUs[r] = block(s, g, blockMs);
                    }
                    ratios[r] = blasUs[r] / simdUs[r];
                }
                double su = median(simdUs);
                double bu = median(blasUs);
                double[] sorted = ratios.clone();
                Arrays.sort(sorted);
                String name = (g.m() + "x" + g.n() + "x" + g.k() + ":" + (g.transA() ? "T" : "N") + (g.transB() ? "T" : "N"));
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f-%.2f |%n", name, su, bu,
                        g.flops() / su / 1e3, g.flops() / bu / 1e3, median(ratios), sorted[0], sorted[sorted.length - 1]);
                if (!(Float.isFinite(s.c().get(0)) && Float.isFinite(o.c().get(0)))) {
                    throw new IllegalStateException("a GEMM result is not finite at " + name);
                }
            }
        }
    }

    /** Calls the side's GEMM for at least {@code ms} milliseconds; microseconds per call; then settles. */
    private static double block(Side side, GemmShape g, long ms) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + ms * 1_000_000;
        long calls = 0;
        long now;
        do {
            side.call(g);
            calls++;
            now = System.nanoTime();
        } while (now < end);
        double us = (now - start) / 1e3 / calls;
        Thread.sleep(SETTLE_MS);
        return us;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a positive integer");
        }
        try {
            int v = Integer.parseInt(args[i]);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(args[i - 1] + " needs a positive integer, got '" + args[i] + "'");
    }
}
