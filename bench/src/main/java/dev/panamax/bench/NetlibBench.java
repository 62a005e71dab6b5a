package dev.panamax.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Backends;
import dev.panamax.backend.FloatBlas;
import dev.panamax.backend.MatrixOrder;
import dev.panamax.backend.Transpose;
import dev.panamax.backend.blas.BlasLibrary;
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
 * Panamax's BLAS-style API against dev.ludovic.netlib:blas, the library Apache Spark's MLlib calls: the
 * same column-major {@code sgemm}, {@code sgemv} and {@code sdot} on the same {@code float[]}, in one run.
 * Implementations: {@code netlib-java} ({@code JavaBLAS.getInstance()}: its Vector API code where the
 * incubator module is present), {@code netlib-native} ({@code NativeBLAS.getInstance()}: JNI to the
 * system's libblas.so.3, which on Debian is OpenBLAS's thin wrapper over libopenblas.so.0, the very
 * library Panamax's blas backend loads), Panamax {@code simd} and {@code blas}. memory=segment gives
 * Panamax native segments instead of arrays (netlib has no such call: skipped).
 *
 * <p>Threads: one everywhere by default. OpenBLAS's thread count is set through the loaded
 * libopenblas.so.0, which both native paths share, so netlib-native and Panamax blas run the same
 * kernels on the same threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS,
        BenchJvm.QUIET_UNSAFE})
@State(Scope.Benchmark)
public class NetlibBench {
    @Param({"netlib-java", "netlib-native", "simd", "blas"})
    public String impl;

    @Param({"array", "segment"})
    public String memory;

    /** sgemm:MxNxK (column-major, no transposes), sgemv:MxN (no transpose), sdot:N. */
    @Param({"sgemm:1024x1024x1024", "sgemm:256x256x256", "sgemm:128x256x784", "sgemm:256x784x128",
            "sgemm:128x784x256", "sgemm:128x10x256", "sgemv:256x784", "sgemv:4096x4096",
            "sdot:4", "sdot:16", "sdot:4096", "sdot:1048576"})
    public String call;

    @Param({"1"})
    public int threads;

    private BLAS netlib;
    private FloatBlas panamax;
    private dev.panamax.backend.Backend backend;
    private Arena arena;
    private String routine;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    private MemorySegment sa;
    private MemorySegment sb;
    private MemorySegment sc;

    @Setup(Level.Trial)
    public void setUp() {
        boolean netlibImpl = impl.startsWith("netlib-");
        if (netlibImpl && memory.equals("segment")) {
            throw new BenchmarkSkipped("netlib takes float[] only");
        }
        String[] parts = call.split(":");
        routine = parts[0];
        String[] dims = parts[1].split("x");
        m = Integer.parseInt(dims[0]);
        n = dims.length > 1 ? Integer.parseInt(dims[1]) : 1;
        k = dims.length > 2 ? Integer.parseInt(dims[2]) : 1;
        SplittableRandom rng = new SplittableRandom(42);
        switch (routine) {
            case "sgemm" -> {
                a = random(m * k, rng);
                b = random(k * n, rng);
                c = new float[m * n];
            }
            case "sgemv" -> {
                a = random(m * n, rng);
                b = random(n, rng);
                c = new float[m];
            }
            case "sdot" -> {
                a = random(m, rng);
                b = random(m, rng);
                c = new float[1];
            }
            default -> throw new IllegalArgumentException("unknown call " + call);
        }
        // OpenBLAS's thread count, for both native paths (they share libopenblas.so.0)
        try {
            BlasLibrary.load().setThreads(threads);
        } catch (BackendUnavailableException e) {
            if (impl.equals("blas") || impl.equals("netlib-native")) {
                throw new BenchmarkSkipped("no OpenBLAS here: " + e.getMessage());
            }
        }
        switch (impl) {
            case "netlib-java" -> netlib = JavaBLAS.getInstance();
            case "netlib-native" -> {
                try {
                    netlib = NativeBLAS.getInstance();
                } catch (RuntimeException | LinkageError e) {
                    throw new BenchmarkSkipped("netlib's NativeBLAS does not load: " + e);
                }
            }
            default -> {
                backend = BenchBackends.open(impl, threads).backend();
                panamax = new FloatBlas(backend);
            }
        }
        if (memory.equals("segment")) {
            arena = Arena.ofShared();
            sa = aligned(arena, a);
            sb = aligned(arena, b);
            sc = aligned(arena, c);
        }
        System.out.println("# " + impl + ": " + (netlib != null ? netlib.getClass().getName() : backend.describe()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Benchmark
    public float run() {
        if (netlib != null) {
            return switch (routine) {
                case "sgemm" -> {
                    netlib.sgemm("N", "N", m, n, k, 1f, a, m, b, k, 0f, c, m);
                    yield c[0];
                }
                case "sgemv" -> {
                    netlib.sgemv("N", m, n, 1f, a, m, b, 1, 0f, c, 1);
                    yield c[0];
                }
                default -> netlib.sdot(m, a, 1, b, 1);
            };
        }
        if (sa != null) {
            return switch (routine) {
                case "sgemm" -> {
                    panamax.sgemm(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k, 1f,
                            sa, 0, m, sb, 0, k, 0f, sc, 0, m);
                    yield sc.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
                }
                case "sgemv" -> {
                    panamax.sgemv(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, m, n, 1f, sa, 0, m, sb, 0, 1, 0f,
                            sc, 0, 1);
                    yield sc.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
                }
                default -> panamax.sdot(m, sa, 0, 1, sb, 0, 1);
            };
        }
        return switch (routine) {
            case "sgemm" -> {
                panamax.sgemm(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k, 1f,
                        a, 0, m, b, 0, k, 0f, c, 0, m);
                yield c[0];
            }
            case "sgemv" -> {
                panamax.sgemv(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, m, n, 1f, a, 0, m, b, 0, 1, 0f, c, 0, 1);
                yield c[0];
            }
            default -> panamax.sdot(m, a, 0, 1, b, 0, 1);
        };
    }

    // native copies at 64-byte alignment, as Panamax's own tensors are allocated (Tensor.allocate)
    static MemorySegment aligned(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    static float[] random(int size, SplittableRandom rng) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        return x;
    }
}
