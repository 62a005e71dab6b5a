package dev.panamax.bench;

import dev.panamax.backend.Backend;
import dev.panamax.backend.FloatBlas;
import dev.panamax.backend.MatrixOrder;
import dev.panamax.backend.Transpose;
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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Callers sharing one backend: each JMH thread runs its own 512^3 GEMMs (its own operands) through one
 * {@link FloatBlas} on a backend made with one thread, so any speed-up from a second caller comes from
 * the calls running at once, not from the backend's own threads. Run it at {@code -t 1} and {@code -t 2}
 * in one go and divide the throughputs: a global lock would hold the ratio at 1.0.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
public class ConcurrentCallersBench {

    /** The backend every caller shares. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"simd", "blas"})
        public String backend;

        @Param({"512"})
        public int size;

        Backend opened;
        FloatBlas blas;

        @Setup(Level.Trial)
        public void open() {
            opened = BenchBackends.open(backend, 1).backend();
            blas = new FloatBlas(opened);
        }

        @TearDown(Level.Trial)
        public void close() {
            opened.close();
        }
    }

    /** One caller's operands, native. */
    @State(Scope.Thread)
    public static class Operands {
        Arena arena;
        MemorySegment a;
        MemorySegment b;
        MemorySegment c;

        @Setup(Level.Trial)
        public void fill(Shared shared) {
            int n = shared.size;
            arena = Arena.ofShared();
            SplittableRandom rng = new SplittableRandom(Thread.currentThread().threadId());
            a = arena.allocate((long) n * n * Float.BYTES, 64);
            b = arena.allocate((long) n * n * Float.BYTES, 64);
            c = arena.allocate((long) n * n * Float.BYTES, 64);
            for (long i = 0; i < (long) n * n; i++) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rng.nextDouble(-1, 1));
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rng.nextDouble(-1, 1));
            }
        }

        @TearDown(Level.Trial)
        public void free() {
            arena.close();
        }
    }

    @Benchmark
    public float gemm(Shared shared, Operands op) {
        int n = shared.size;
        shared.blas.sgemm(MatrixOrder.ROW_MAJOR, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, n, n, n, 1f, op.a, 0, n,
                op.b, 0, n, 0f, op.c, 0, n);
        return op.c.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
