package dev.panamax.cli;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code panamax bench}: training throughput of the MLP (784-256-10 by default) on each backend, in
 * samples per second, on synthetic MNIST-shaped data (the numbers do not depend on the pixel values).
 * For the kernel-level benchmarks use JMH: {@code scripts/bench}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure MLP training throughput (samples/s, median of 5 windows) per backend on synthetic MNIST-shaped data.")
final class BenchCommand implements Callable<Integer> {
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;
    /** Distinct batches cycled through, so the timing does not hinge on one batch sitting in cache. */
    private static final int POOL = 8;
    /** Measurement windows per backend; the median window is reported. */
    private static final int WINDOWS = 5;

    @Option(names = "--backends", split = ",", description = "Backends to measure. Default: every one that loads")
    List<String> backends;

    @Option(names = "--threads", description = "Worker threads (0 = all cores). Default: ${DEFAULT-VALUE}")
    int threads = 0;

    @Option(names = {"--batch-size", "--batch"}, description = "Batch size. Default: ${DEFAULT-VALUE}")
    int batch = 128;

    @Option(names = "--hidden", split = ",", description = "Hidden layer sizes. Default: 256")
    int[] hidden = {256};

    @Option(names = "--optimizer", description = "Optimizer spec. Default: ${DEFAULT-VALUE}")
    String optimizer = "sgd(lr=0.1)";

    @Option(names = "--loss", description = "Loss. Default: ${DEFAULT-VALUE}")
    String loss = "cross_entropy";

    @Option(names = "--warmup", description = "Warm-up seconds per backend: C2 needs several seconds to compile the Vector API kernels. Default: ${DEFAULT-VALUE}")
    double warmup = 8;

    @Option(names = "--seconds", description = "Measured seconds per backend. Default: ${DEFAULT-VALUE}")
    double seconds = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() {
        CommandLine cl = commandSpec.commandLine();
        CliErrors.require(cl, batch >= 1 && warmup >= 0 && seconds > 0 && Double.isFinite(warmup) && Double.isFinite(seconds),
                "need --batch >= 1, and finite --warmup >= 0 and --seconds > 0 (got " + warmup + " and " + seconds + ")");
        CliErrors.option(cl, "--threads", () -> {
            Backends.checkThreads(threads, "--threads");
            return threads;
        });
        CliErrors.require(cl, java.util.Arrays.stream(hidden).allMatch(h -> h > 0), "--hidden sizes must be positive");
        OptimizerSpec spec = CliErrors.option(cl, "--optimizer", () -> OptimizerSpec.parse(optimizer));
        Loss lossKind = CliErrors.option(cl, "--loss", () -> Loss.parse(loss));
        List<String> names = backends != null ? backends : Backends.names();
        for (String name : names) {
            CliErrors.require(cl, Backends.names().contains(name.strip().toLowerCase(Locale.ROOT)), "--backends: unknown backend '"
                    + name + "' (known: " + String.join(", ", Backends.names()) + ")");
        }
        System.out.printf(Locale.ROOT, "MLP %s, batch %d, %s, %s; %.0f s warm-up + %.0f s measured per backend%n",
                sizesText(), batch, spec, lossKind.label(), warmup, seconds);
        String bestName = null;
        double best = 0;
        List<String> skipped = new ArrayList<>();
        for (String name : names) {
            Backend backend;
            try {
                backend = Backends.create(name, threads);
            } catch (BackendUnavailableException e) {
                skipped.add(name + " (" + e.getMessage() + ")");
                continue;
            }
            try (Compute compute = new Compute(backend)) {
                double rate = measure(compute, spec, lossKind);
                System.out.printf(Locale.ROOT, "  %-7s %-70s %,12.0f samples/s%n", name, abbreviate(backend.describe()), rate);
                if (rate > best) {
                    best = rate;
                    bestName = name;
                }
            }
        }
        for (String s : skipped) {
            System.out.println("  skipped " + s);
        }
        if (bestName == null) {
            throw new IllegalArgumentException("none of the backends " + names + " loads here");
        }
        System.out.printf(Locale.ROOT, "best: %s %,.0f samples/s%n", bestName, best);
        return 0;
    }

    private double measure(Compute compute, OptimizerSpec spec, Loss lossKind) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = FEATURES;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = CLASSES;
        try (Arena arena = Arena.ofShared();
             Mlp mlp = Mlp.create(sizes, Activation.RELU, 1, compute);
             Optimizer opt = spec.create(Parameter.of(mlp), compute);
             Trainer trainer = new Trainer(mlp, lossKind, opt, compute, FEATURES, CLASSES)) {
            Tensor[] xs = new Tensor[POOL];
            Tensor[] ys = new Tensor[POOL];
            SplittableRandom rng = new SplittableRandom(3);
            for (int b = 0; b < POOL; b++) {
                xs[b] = Tensor.allocate(arena, batch, FEATURES);
                ys[b] = Tensor.allocate(arena, batch);
                for (long i = 0; i < xs[b].size(); i++) {
                    xs[b].set(i, (float) rng.nextDouble());
                }
                for (int i = 0; i < batch; i++) {
                    ys[b].set(i, rng.nextInt(CLASSES));
                }
            }
            run(trainer, xs, ys, warmup);
            return run(trainer, xs, ys, seconds);
        }
    }

    /**
     * Trains for about {@code duration} seconds in {@value #WINDOWS} equal windows and returns the median
     * window's samples per second: a window disturbed by another process on a shared machine does not
     * move the median, where it would move a plain average.
     */
    private double run(Trainer trainer, Tensor[] xs, Tensor[] ys, double duration) {
        double[] rates = new double[WINDOWS];
        long steps = 0;
        for (int w = 0; w < WINDOWS; w++) {
            long start = System.nanoTime();
            long deadline = start + (long) (duration / WINDOWS * 1e9);
            long windowSteps = 0;
            long now;
            do {
                int b = (int) (steps % POOL);
                trainer.trainStep(xs[b], ys[b]);
                steps++;
                windowSteps++;
                now = System.nanoTime();
            } while (now < deadline);
            rates[w] = windowSteps * (double) batch / ((now - start) / 1e9);
        }
        java.util.Arrays.sort(rates);
        return rates[WINDOWS / 2];
    }

    private String sizesText() {
        StringBuilder sb = new StringBuilder().append(FEATURES);
        for (int h : hidden) {
            sb.append('-').append(h);
        }
        return sb.append('-').append(CLASSES).toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
