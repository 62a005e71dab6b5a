package dev.panamax.bench;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.optim.Parameter;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import dev.panamax.train.TrainingWarmup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One full training step of the 784-256-10 ReLU MLP with cross-entropy: forward, backward, optimizer
 * update, gradient reset. Per backend, batch size and optimizer. The score is steps per second;
 * samples/s = score x batch ({@code scripts/bench-report} prints it). Run with {@code -prof gc} to see
 * the allocation per step ({@code gc.alloc.rate.norm}, target 0 B/op).
 *
 * <p>Each trial starts with the library's own warm-up ({@link TrainingWarmup}, as {@code panamax train} runs it),
 * so that JMH's warm-up iterations start from compiled code and the figures are the steady state.
 *
 * <p>Eight distinct batches are cycled so that the inputs are not one cache-resident block; the model
 * keeps training across iterations (its state is meant to change, as in real training).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
public class TrainStepBench {
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;
    private static final int POOL = 8;

    @State(Scope.Benchmark)
    public static class Step {
        @Param({"simd", "blas"})
        public String backend;

        @Param({"2"})
        public int threads;

        @Param({"32", "128", "512"})
        public int batch;

        @Param({"sgd(lr=0.1)", "sgd(lr=0.05,momentum=0.9,nesterov=true)", "adagrad(lr=0.05)", "adadelta",
                "rmsprop(lr=0.001)", "adam(lr=0.001)", "adamw(lr=0.001)"})
        public String optimizer;

        Compute compute;
        Arena arena;
        Mlp mlp;
        Optimizer opt;
        Trainer trainer;
        Tensor[] xs;
        Tensor[] ys;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            BenchBackends.requireMeaningfulThreads(backend, threads);
            compute = BenchBackends.open(backend, threads);
            arena = Arena.ofShared();
            mlp = Mlp.create(new int[] {FEATURES, 256, CLASSES}, Activation.RELU, 1);
            OptimizerSpec optimizerSpec = OptimizerSpec.parse(optimizer);
            // what `panamax train` does before its first step: without it the driver methods called a few times
            // a step (SimdGemm's dispatch, the short-k and 5-row paths) reach C2 only after about 15,000 calls,
            // seconds into the measurement at two threads, and a multi-threaded branch first taken there is an
            // uncommon trap back to C1's profiling code
            TrainingWarmup.run(ModelSpec.unstandardized(new int[] {FEATURES, 256, CLASSES}, Activation.RELU,
                    Loss.CROSS_ENTROPY), optimizerSpec, compute, TrainingWarmup.DEFAULT_STEPS, batch);
            opt = optimizerSpec.create(Parameter.of(mlp), compute);
            trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, opt, compute, FEATURES, CLASSES);
            SplittableRandom rng = new SplittableRandom(9);
            xs = new Tensor[POOL];
            ys = new Tensor[POOL];
            for (int b = 0; b < POOL; b++) {
                xs[b] = RandomTensors.uniform(arena, rng, 0f, 1f, batch, FEATURES);
                ys[b] = Tensor.allocate(arena, batch);
                for (int i = 0; i < batch; i++) {
                    ys[b].set(i, rng.nextInt(CLASSES));
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (trainer != null) {
                trainer.close();
                opt.close();
                mlp.close();
                arena.close();
                compute.close();
            }
        }
    }

    @Benchmark
    public float trainStep(Step s) {
        int b = s.next;
        s.next = (b + 1) % POOL;
        return s.trainer.trainStep(s.xs[b], s.ys[b]);
    }
}
