package dev.panamax.bench;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.backend.UpdateKernel;
import dev.panamax.optim.Adam;
import dev.panamax.tensor.Tensor;
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
 * The memory-bound kernels of one MLP training step at batch B = 128, hidden H = 256, classes K = 10,
 * and the optimizer update of the (256,784) first-layer weight, P = 256 * 784 elements.
 *
 * <p>Bandwidth is reported as GB/s = bytes touched / time by {@code scripts/bench-report}, which holds the
 * same formulas. Bytes touched, counting each float read or written once (4 bytes):
 * <ul>
 *   <li>biasRelu: read x (B,H) and bias (H), write y (B,H): 4 (2BH + H)</li>
 *   <li>reluBackward: read x and dy, write dx, all (B,H): 4 * 3BH</li>
 *   <li>softmaxCrossEntropy: read logits (B,K) and labels (B), write probs and dlogits (B,K): 4 (3BK + B)</li>
 *   <li>columnSums: read x (B,H), write out (H): 4 (BH + H)</li>
 *   <li>axpy: read x and y, write y, all P: 4 * 3P</li>
 *   <li>adamStep: read p, g, m, v, write p, m, v, all P: 4 * 7P</li>
 * </ul>
 * Kernels that update in place (axpy, adamStep) start every iteration from the same values.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
@State(Scope.Benchmark)
public class ElementwiseBench {
    static final int BATCH = 128;
    static final int HIDDEN = 256;
    static final int CLASSES = 10;
    static final int PARAM_ROWS = 256;
    static final int PARAM_COLS = 784;

    // Adam at step t = 10 with torch's defaults; the step only sets the bias corrections.
    private static final double LR = 1e-3;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final float EPS = 1e-8f;
    private static final int STEP = 10;

    @Param({"simd", "blas", "scalar"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Compute compute;

    private Tensor x;
    private Tensor bias;
    private Tensor y;
    private Tensor dy;
    private Tensor dx;
    private Tensor columnTotals;

    private Tensor logits;
    private Tensor labels;
    private Tensor probs;
    private Tensor dlogits;

    private Tensor initialParam;
    private Tensor param;
    private Tensor grad;
    private Tensor expAvg;
    private Tensor expAvgSq;
    private Tensor axpyTarget;
    private UpdateKernel adam;
    private Tensor[] adamOperands;
    private float[] adamScalars;

    @Setup(Level.Trial)
    public void setUp() {
        BenchBackends.requireMeaningfulThreads(backend, threads);
        compute = BenchBackends.open(backend, threads);
        arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(42);

        x = RandomTensors.uniform(arena, rng, -1f, 1f, BATCH, HIDDEN);
        bias = RandomTensors.uniform(arena, rng, -0.1f, 0.1f, HIDDEN);
        y = Tensor.allocate(arena, BATCH, HIDDEN);
        dy = RandomTensors.uniform(arena, rng, -1f, 1f, BATCH, HIDDEN);
        dx = Tensor.allocate(arena, BATCH, HIDDEN);
        columnTotals = Tensor.allocate(arena, HIDDEN);

        logits = RandomTensors.uniform(arena, rng, -3f, 3f, BATCH, CLASSES);
        labels = RandomTensors.labels(arena, rng, BATCH, CLASSES);
        probs = Tensor.allocate(arena, BATCH, CLASSES);
        dlogits = Tensor.allocate(arena, BATCH, CLASSES);

        initialParam = RandomTensors.uniform(arena, rng, -0.05f, 0.05f, PARAM_ROWS, PARAM_COLS);
        param = Tensor.allocate(arena, PARAM_ROWS, PARAM_COLS);
        grad = RandomTensors.uniform(arena, rng, -0.01f, 0.01f, PARAM_ROWS, PARAM_COLS);
        expAvg = Tensor.allocate(arena, PARAM_ROWS, PARAM_COLS);
        expAvgSq = Tensor.allocate(arena, PARAM_ROWS, PARAM_COLS);
        axpyTarget = Tensor.allocate(arena, PARAM_ROWS, PARAM_COLS);

        // Adam's rule as an optimizer calls it: the kernel resolved once, torch's hyperparameter arithmetic in
        // double rounded once to float (decayFactor, weightDecay, beta1, 1 - beta1, beta2, 1 - beta2,
        // -lr / (1 - beta1^t), sqrt(1 - beta2^t), eps)
        adam = compute.updateKernel(Adam.UPDATE);
        adamOperands = new Tensor[] {param, grad, expAvg, expAvgSq, null};
        adamScalars = new float[] {1f, 0f, (float) BETA1, (float) (1 - BETA1), (float) BETA2, (float) (1 - BETA2),
                (float) -(LR / (1 - Math.pow(BETA1, STEP))), (float) Math.sqrt(1 - Math.pow(BETA2, STEP)), EPS};
    }

    /** Restores everything the in-place kernels mutate, outside the timed region. */
    @Setup(Level.Iteration)
    public void resetMutatedState() {
        param.copyFrom(initialParam);
        axpyTarget.copyFrom(initialParam);
        expAvg.fill(0f);
        expAvgSq.fill(0f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (compute != null) {
            compute.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Benchmark
    public Tensor biasRelu() {
        // x (B,H), bias (H) -> y (B,H)
        compute.biasActivation(x, bias, Activation.RELU, y);
        return y;
    }

    @Benchmark
    public Tensor reluBackward() {
        // x (B,H), dy (B,H) -> dx (B,H)
        compute.activationBackward(Activation.RELU, x, null, dy, dx);
        return dx;
    }

    @Benchmark
    public double softmaxCrossEntropy() {
        // logits (B,K), labels (B) -> probs (B,K), dlogits (B,K), summed loss
        return compute.softmaxCrossEntropy(logits, labels, probs, dlogits, 1f / BATCH);
    }

    @Benchmark
    public Tensor columnSums() {
        // x (B,H) -> out (H), beta 0 so nothing accumulates
        compute.columnSums(x, 0f, columnTotals);
        return columnTotals;
    }

    @Benchmark
    public Tensor axpy() {
        // grad (P), y (P) -> y (P); a small alpha keeps y bounded across an iteration's calls
        compute.axpy(-1e-3f, grad, axpyTarget);
        return axpyTarget;
    }

    @Benchmark
    public Tensor adamStep() {
        // p (P), g (P), m (P), v (P) -> p, m, v updated in place
        adam.apply(adamOperands, adamScalars);
        return param;
    }
}
