package dev.panamax.bench;

import dev.panamax.backend.Compute;
import dev.panamax.backend.blas.BlasLibrary;
import dev.panamax.backend.blas.ffi.Cblas;
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
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one call costs when the work is negligible: a 4x4x4 GEMM (128 flops) and a 16-element dot
 * product. Three levels are measured:
 * <ul>
 *   <li>{@code computeGemm4}: end to end through {@link Compute#gemm} per backend (checks, dispatch,
 *       and for blas the FFM downcall into OpenBLAS) - what a caller of the library pays;</li>
 *   <li>{@code rawSgemm4}, {@code rawSdot16}: bare FFM downcalls to {@code cblas_sgemm}/{@code cblas_sdot}
 *       through static-final handles ({@link RawOpenBlas}) - the floor for any FFM binding;</li>
 *   <li>{@code javaGemm4}, {@code javaDot16}: the same arithmetic in plain Java on heap arrays.</li>
 * </ul>
 * Nanoseconds per call; the differences are the overheads.
 *
 * <p>{@code bindingSgemm4}, {@code bindingSdot16}: the same calls through the project's own binding
 * ({@link Cblas} from {@link BlasLibrary#load()}, instance-held handles), priced against the raw floor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
public class FfmCallBench {
    private static final int SIZE = 4;
    private static final int DOT_LENGTH = 16;

    /** Tensors and a backend for the end-to-end GEMM. */
    @State(Scope.Benchmark)
    public static class ComputeState {
        @Param({"blas", "simd", "scalar"})
        public String backend;

        Arena arena;
        Compute compute;
        Tensor a;
        Tensor b;
        Tensor c;

        @Setup(Level.Trial)
        public void setUp() {
            compute = BenchBackends.open(backend, 1);
            arena = Arena.ofShared();
            SplittableRandom rng = new SplittableRandom(42);
            a = RandomTensors.uniform(arena, rng, -1f, 1f, SIZE, SIZE);
            b = RandomTensors.uniform(arena, rng, -1f, 1f, SIZE, SIZE);
            c = Tensor.allocate(arena, SIZE, SIZE);
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
    }

    /** Off-heap operands for the raw downcalls. */
    @State(Scope.Benchmark)
    public static class NativeState {
        Arena arena;
        MemorySegment a;
        MemorySegment b;
        MemorySegment c;
        MemorySegment x;
        MemorySegment y;

        @Setup(Level.Trial)
        public void setUp() {
            if (RawOpenBlas.UNAVAILABLE_REASON != null) {
                throw new BenchmarkSkipped(RawOpenBlas.UNAVAILABLE_REASON);
            }
            arena = Arena.ofShared();
            SplittableRandom rng = new SplittableRandom(42);
            a = RandomTensors.uniform(arena, rng, -1f, 1f, SIZE, SIZE).segment();
            b = RandomTensors.uniform(arena, rng, -1f, 1f, SIZE, SIZE).segment();
            c = Tensor.allocate(arena, SIZE, SIZE).segment();
            x = RandomTensors.uniform(arena, rng, -1f, 1f, DOT_LENGTH).segment();
            y = RandomTensors.uniform(arena, rng, -1f, 1f, DOT_LENGTH).segment();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (arena != null) {
                arena.close();
            }
        }
    }

    /** Heap operands for the plain-Java baselines. */
    @State(Scope.Benchmark)
    public static class HeapState {
        float[] a;
        float[] b;
        float[] c;
        float[] x;
        float[] y;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom rng = new SplittableRandom(42);
            a = randomArray(rng, SIZE * SIZE);
            b = randomArray(rng, SIZE * SIZE);
            c = new float[SIZE * SIZE];
            x = randomArray(rng, DOT_LENGTH);
            y = randomArray(rng, DOT_LENGTH);
        }

        private static float[] randomArray(SplittableRandom rng, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (2 * rng.nextDouble() - 1);
            }
            return v;
        }
    }

    @Benchmark
    public Tensor computeGemm4(ComputeState s) {
        // A (4,4), B (4,4) -> C (4,4)
        s.compute.gemm(false, false, 1f, s.a, s.b, 0f, s.c);
        return s.c;
    }

    @Benchmark
    public MemorySegment rawSgemm4(NativeState s) throws Throwable {
        // A (4,4), B (4,4) -> C (4,4), row-major, leading dimensions = 4
        RawOpenBlas.SGEMM.invokeExact(RawOpenBlas.ROW_MAJOR, RawOpenBlas.NO_TRANS, RawOpenBlas.NO_TRANS,
                SIZE, SIZE, SIZE, 1f, s.a, SIZE, s.b, SIZE, 0f, s.c, SIZE);
        return s.c;
    }

    @Benchmark
    public float rawSdot16(NativeState s) throws Throwable {
        // x (16), y (16) -> scalar
        return (float) RawOpenBlas.SDOT.invokeExact(DOT_LENGTH, s.x, 1, s.y, 1);
    }

    /** The library the blas backend itself would load (property, system, then bundled). */
    @State(Scope.Benchmark)
    public static class BindingState {
        Cblas cblas;

        @Setup(Level.Trial)
        public void setUp() {
            try {
                cblas = BlasLibrary.load().cblas();
            } catch (RuntimeException e) {
                throw new BenchmarkSkipped("no CBLAS library: " + e.getMessage());
            }
        }
    }

    @Benchmark
    public MemorySegment bindingSgemm4(BindingState b, NativeState s) {
        // A (4,4), B (4,4) -> C (4,4), row-major, leading dimensions = 4
        b.cblas.sgemm(Cblas.ROW_MAJOR, Cblas.NO_TRANS, Cblas.NO_TRANS, SIZE, SIZE, SIZE, 1f, s.a, SIZE, s.b, SIZE,
                0f, s.c, SIZE);
        return s.c;
    }

    @Benchmark
    public float bindingSdot16(BindingState b, NativeState s) {
        // x (16), y (16) -> scalar
        return b.cblas.sdot(DOT_LENGTH, s.x, 1, s.y, 1);
    }

    @Benchmark
    public float[] javaGemm4(HeapState s) {
        // A (4,4), B (4,4) -> C (4,4)
        float[] a = s.a;
        float[] b = s.b;
        float[] c = s.c;
        for (int i = 0; i < SIZE; i++) {
            for (int j = 0; j < SIZE; j++) {
                float acc = 0f;
                for (int p = 0; p < SIZE; p++) {
                    acc += a[i * SIZE + p] * b[p * SIZE + j];
                }
                c[i * SIZE + j] = acc;
            }
        }
        return c;
    }

    @Benchmark
    public float javaDot16(HeapState s) {
        // x (16), y (16) -> scalar
        float acc = 0f;
        for (int i = 0; i < DOT_LENGTH; i++) {
            acc += s.x[i] * s.y[i];
        }
        return acc;
    }
}
