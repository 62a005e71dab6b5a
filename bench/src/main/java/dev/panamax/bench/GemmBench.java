package dev.panamax.bench;

import dev.panamax.backend.Compute;
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
 * One single-precision GEMM, {@code C = op(A) op(B)} (alpha 1, beta 0 so C never accumulates), per
 * backend, thread count and shape. The shapes are the three GEMMs of each layer of the 784-256-10 MLP
 * at batch 128 (forward NT, weight gradient TN, input gradient NN), the same for the 256-10 layer,
 * batch 32 and 512 forwards, and square sizes where BLAS libraries reach their peak.
 * GFLOP/s = 2mnk / time: {@code scripts/bench-report} prints it beside each time.
 *
 * <p>Scalar is opt-in ({@code -p backend=scalar}) and by default only runs shapes of at most
 * {@value #SCALAR_DEFAULT_MAX_GFLOP} GFLOP; raise the limit with
 * {@code -jvmArgsPrepend -Dpanamax.bench.scalar.maxGflop=...}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
@State(Scope.Benchmark)
public class GemmBench {
    /** Scalar runs about 1 GFLOP/s or less: 0.1 GFLOP keeps one call near a tenth of a second. */
    static final double SCALAR_DEFAULT_MAX_GFLOP = 0.1;

    @Param({"simd", "blas"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    @Param({
            "128x256x784:NT", "256x784x128:TN", "128x784x256:NN",
            "128x10x256:NT", "10x256x128:TN", "128x256x10:NN",
            "32x256x784:NT", "512x256x784:NT",
            "256x256x256:NN", "1024x1024x1024:NN", "2048x2048x2048:NN"})
    public String shape;

    private Arena arena;
    private Compute compute;
    private GemmShape gemm;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        gemm = GemmShape.parse(shape);
        BenchBackends.requireMeaningfulThreads(backend, threads);
        if (backend.equals("scalar")) {
            double maxGflop = Double.parseDouble(System.getProperty("panamax.bench.scalar.maxGflop",
                    String.valueOf(SCALAR_DEFAULT_MAX_GFLOP)));
            if (gemm.flops() / 1e9 > maxGflop) {
                throw new BenchmarkSkipped("backend scalar at " + shape + " (" + gemm.flops() / 1e9
                        + " GFLOP per call) exceeds panamax.bench.scalar.maxGflop=" + maxGflop);
            }
        }
        compute = BenchBackends.open(backend, threads);
        arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(42);
        a = RandomTensors.uniform(arena, rng, -1f, 1f, gemm.aShape());
        b = RandomTensors.uniform(arena, rng, -1f, 1f, gemm.bShape());
        c = Tensor.allocate(arena, gemm.m(), gemm.n());
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
    public Tensor gemm() {
        // A (m,k) or (k,m), B (k,n) or (n,k) -> C (m,n)
        compute.gemm(gemm.transA(), gemm.transB(), 1f, a, b, 0f, c);
        return c;
    }
}
