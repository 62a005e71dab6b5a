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
 * simd against blas on the same work in one JVM, in alternating blocks: the ratio for a machine whose speed
 * drifts. The work is a GEMM ({@code 128x256x784:NT}, as in GemmBench) or a training step of the
 * 784-256-10 MLP ({@code train:128:sgd(lr=0.1)}: batch, optimizer; TrainStepBench's step), or, with
 * {@code netlib:} before a call, Panamax blas against netlib's NativeBLAS on the same arrays
 * ({@link NetlibPair}). GemmBench runs each backend in its own JVM one after the other, so a host that is busier for the minute one
 * backend runs moves the ratio with it; on shared VMs that drift has been as large as the
 * differences measured (one GemmBench run put simd at 0.67-0.73 of OpenBLAS at six shapes, the next at
 * 0.98 at one of them, same build and flags). Here both backends are warmed together until the JIT has gone
 * quiet, then measured in rounds: each round times a block of calls on one backend, then a block on the other
 * (the order swaps every round), and the round's ratio is blas's time per call over simd's (above 1: simd is faster; for
 * netlib work NativeBLAS's over Panamax's). The figure is the median of the rounds' ratios, with their range; a drift slower than a round cancels out.
 *
 * <p>Between blocks the thread sleeps {@link #SETTLE_MS}: OpenBLAS's idle workers busy-wait for a while
 * after a call, as simd's do (WorkerPool.SPIN_NANOS, 1 ms by default), and must not take a core from the
 * other backend's block.
 *
 * <p>Run with {@code scripts/bench-paired} (it passes the JVM flags and the options below):
 * {@code [--threads N] [--rounds R] [--block-ms T] [--warmup-s W] [WORK ...]}; the default work is
 * GemmBench's shapes and the training step at batch 128 with SGD and with Adam.
 */
public final class PairedBench {
    /** Pause after each block, outside the timing: longer than the idle spin of either backend's workers. */
    static final long SETTLE_MS = 150;

    private PairedBench() {
    }

    /** One backend's part of a workload: one call of it, and the checks made when it is closed (none by default). */
    interface Side extends AutoCloseable {
        void call();

        @Override
        default void close() {
        }
    }

    /**
     * A workload as named on the command line: its two sides, and {@code perCall}, what one call does in the
     * rate's unit times a microsecond (2mnk / 1e3 for GFLOP/s, batch x 1e3 for k samples/s), so that
     * {@code perCall / microseconds} is the rate.
     */
    record Work(String name, String firstName, Side first, String secondName, Side second, double perCall,
                String rateUnit) {
        Work(String name, Side simd, Side blas, double perCall, String rateUnit) {
            this(name, "simd", simd, "blas", blas, perCall, rateUnit);
        }

        static Work open(String spec, Compute simd, Compute blas, Arena arena, int threads) {
            if (spec.startsWith("netlib:")) {
                return NetlibPair.open(spec.substring("netlib:".length()), blas);
            }
            if (spec.startsWith("train:")) {
                String[] parts = spec.split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("a training step is train:BATCH:OPTIMIZER, e.g. train:128:sgd(lr=0.1);"
                            + " got '" + spec + "'");
                }
                int batch = Integer.parseInt(parts[1]);
                return new Work(spec, step("simd", threads, batch, parts[2]), step("blas", threads, batch, parts[2]),
                        batch * 1e3, "k samples/s");
            }
            GemmShape g = GemmShape.parse(spec);
            SplittableRandom rng = new SplittableRandom(42);
            Tensor a = RandomTensors.uniform(arena, rng, -1f, 1f, g.aShape());
            Tensor b = RandomTensors.uniform(arena, rng, -1f, 1f, g.bShape());
            return new Work(spec, gemm(simd, g, a, b, Tensor.allocate(arena, g.m(), g.n())),
                    gemm(blas, g, a, b, Tensor.allocate(arena, g.m(), g.n())), g.flops() / 1e3, "GFLOP/s");
        }

        private static Side gemm(Compute compute, GemmShape g, Tensor a, Tensor b, Tensor c) {
            return new Side() {
                @Override
                public void call() {
                    compute.gemm(g.transA(), g.transB(), 1f, a, b, 0f, c);
                }

                @Override
                public void close() {
                    if (!Float.isFinite(c.get(0))) {
                        throw new IllegalStateException("a GEMM result is not finite");
                    }
                }
            };
        }

        // TrainStepBench's state, set up by hand: the same model, data and step
        private static Side step(String backend, int threads, int batch, String optimizer) {
            TrainStepBench.Step s = new TrainStepBench.Step();
            s.backend = backend;
            s.threads = threads;
            s.batch = batch;
            s.optimizer = optimizer;
            s.setUp();
            TrainStepBench bench = new TrainStepBench();
            return new Side() {
                @Override
                public void call() {
                    if (!Float.isFinite(bench.trainStep(s))) {
                        throw new IllegalStateException("the " + backend + " training step's loss is not finite");
                    }
                }

                @Override
                public void close() {
                    s.tearDown();
                }
            };
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = 1;
        int rounds = 15;
        long blockMs = 200;
        double warmupS = 5;
        List<String> work = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = positive(args, ++i);
                case "--rounds" -> rounds = positive(args, ++i);
                case "--block-ms" -> blockMs = positive(args, ++i);
                case "--warmup-s" -> warmupS = positive(args, ++i);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + " (--threads N, --rounds R, --block-ms T, --warmup-s W, then the work)");
                    }
                    work.add(args[i]);
                }
            }
        }
        if (work.isEmpty()) {
            work.addAll(List.of("128x256x784:NT", "256x784x128:TN", "128x784x256:NN", "128x10x256:NT",
                    "10x256x128:TN", "128x256x10:NN", "32x256x784:NT", "512x256x784:NT", "256x256x256:NN",
                    "1024x1024x1024:NN", "2048x2048x2048:NN", "train:128:sgd(lr=0.1)", "train:128:adam(lr=0.001)"));
        }
        try (Compute simd = BenchBackends.open("simd", threads); Compute blas = BenchBackends.open("blas", threads);
             Arena arena = Arena.ofShared()) {
            System.out.printf(Locale.ROOT, "paired simd and blas, %d thread%s, %d rounds of %d ms blocks after at least %.0f s of warm-up"
                    + " (then until the JIT is quiet)%n",
                    threads, threads == 1 ? "" : "s", rounds, blockMs, warmupS);
            System.out.println("simd: " + simd.backend().describe());
            System.out.println("blas: " + blas.backend().describe());
            System.out.println();
            String header = "";
            for (String spec : work) {
                Work w = Work.open(spec, simd, blas, arena, threads);
                String names = w.firstName() + " us | " + w.secondName() + " us | " + w.firstName() + " rate | "
                        + w.secondName() + " rate | " + w.firstName() + "/" + w.secondName();
                if (!names.equals(header)) {
                    header = names;
                    System.out.println("| work | " + names + " (median of rounds) | range | warm-up |");
                    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
                }
                try (Side s = w.first(); Side o = w.second()) {
                    String warmed = warmUp(s, o, blockMs, warmupS);
                    double[] firstUs = new double[rounds];
                    double[] secondUs = new double[rounds];
                    double[] ratios = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        if (r % 2 == 0) {
                            firstUs[r] = block(s, blockMs);
                            secondUs[r] = block(o, blockMs);
                        } else {
                            secondUs[r] = block(o, blockMs);
                            firstUs[r] = block(s, blockMs);
                        }
                        ratios[r] = secondUs[r] / firstUs[r];
                    }
                    double su = median(firstUs);
                    double bu = median(secondUs);
                    double[] sorted = ratios.clone();
                    Arrays.sort(sorted);
                    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f %s | %.1f %s | %.2f | %.2f-%.2f | %s |%n", w.name(), su,
                            bu, w.perCall() / su, w.rateUnit(), w.perCall() / bu, w.rateUnit(), median(ratios),
                            sorted[0], sorted[sorted.length - 1], warmed);
                }
            }
        }
    }

    /** The most a warm-up runs past its minimum while the JIT is still compiling. */
    static final double MAX_EXTRA_WARMUP_S = 30;

    /**
     * Blocks of both sides in turn for at least {@code minS} seconds, then until the JIT compiled nothing during a
     * whole pair of blocks (at most {@link #MAX_EXTRA_WARMUP_S} more): methods called a few times per call (a
     * training step's GEMM dispatch) reach C2 only after thousands of calls, and a fixed warm-up that ends before
     * them measures C1's code in its first rounds. Returns what it did, for the table: "6.2 s", or with
     * "JIT still busy" where the limit ended it.
     */
    private static String warmUp(Side s, Side o, long blockMs, double minS) throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean watched = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long minEnd = start + (long) (minS * 1e9);
        long maxEnd = minEnd + (long) (MAX_EXTRA_WARMUP_S * 1e9);
        long compiled = watched ? jit.getTotalCompilationTime() : 0;
        boolean quiet;
        do {
            block(s, blockMs);
            block(o, blockMs);
            long now = watched ? jit.getTotalCompilationTime() : 0;
            quiet = now == compiled;
            compiled = now;
        } while (System.nanoTime() < minEnd || (!quiet && System.nanoTime() < maxEnd));
        String seconds = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
        return !watched ? seconds + " (JIT not watched)" : quiet ? seconds : seconds + " (JIT still busy)";
    }

    /** Calls the side for at least {@code ms} milliseconds; microseconds per call; then settles. */
    private static double block(Side side, long ms) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + ms * 1_000_000;
        long calls = 0;
        long now;
        do {
            side.call();
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
