package dev.panamax.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The single-core FMA peak as Java reaches it: 12 independent chains of vector FMAs on the preferred
 * species (more chains than two FMA pipes of 4 cycles' latency keep busy, so the loop is bound by FMA
 * throughput, not latency), no loads or stores in the loop. Score: vector FMAs per microsecond; GFLOP/s =
 * score x 2 x lanes / 1000, lanes = the width's bits / 32 ({@code panamax info} prints them).
 * Run at each width with the JVM flags of that width (scripts/bench-widths passes them), so the GEMM's
 * GFLOP/s can be read as a fraction of this peak.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.QUIET_UNSAFE})
@State(Scope.Thread)
public class FmaPeakBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 100_000;
    private static final int CHAINS = 12;

    /** Multiplier and addend: non-final fields, so the JIT cannot fold the chains away. */
    public float multiplier = 0.999f;
    public float addend = 1e-3f;

    @Benchmark
    @OperationsPerInvocation(STEPS * CHAINS)
    public float fmaChains() {
        FloatVector x = FloatVector.broadcast(F, multiplier);
        FloatVector b = FloatVector.broadcast(F, addend);
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < STEPS; i++) {
            c0 = x.fma(c0, b);
            c1 = x.fma(c1, b);
            c2 = x.fma(c2, b);
            c3 = x.fma(c3, b);
            c4 = x.fma(c4, b);
            c5 = x.fma(c5, b);
            c6 = x.fma(c6, b);
            c7 = x.fma(c7, b);
            c8 = x.fma(c8, b);
            c9 = x.fma(c9, b);
            c10 = x.fma(c10, b);
            c11 = x.fma(c11, b);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
