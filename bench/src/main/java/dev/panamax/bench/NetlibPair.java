package dev.panamax.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.panamax.backend.Compute;
import dev.panamax.backend.FloatBlas;
import dev.panamax.backend.MatrixOrder;
import dev.panamax.backend.Transpose;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * PairedBench's {@code netlib:} work: Panamax blas and netlib's NativeBLAS (JNI to the same OpenBLAS) on
 * the very same {@code float[]}, column-major as NetlibBench calls them ({@code netlib:sgemv:MxN},
 * {@code netlib:sgemm:MxNxK}); with {@code :segment} appended, Panamax reads 64-byte-aligned native copies
 * of those arrays instead (NetlibBench's memory=segment). NetlibBench runs each implementation in forks of
 * its own, each with its own arrays at its own heap addresses; the Java heap aligns an array's data to 8 bytes only, so one fork's
 * vector loads may split cache lines where another's do not, and that moves a memory-bound call such as
 * sgemv by more than the difference between the two bindings. Here both read one set of arrays, in turn.
 */
final class NetlibPair {
    private NetlibPair() {
    }

    static PairedBench.Work open(String call, Compute blas) {
        String[] parts = call.split(":");
        boolean segments = parts.length == 3 && parts[2].equals("segment");
        if (parts.length != (segments ? 3 : 2) || !(parts[0].equals("sgemv") || parts[0].equals("sgemm"))) {
            throw new IllegalArgumentException("netlib work is netlib:sgemv:MxN or netlib:sgemm:MxNxK, optionally followed"
                    + " by :segment, got 'netlib:" + call + "'");
        }
        String[] dims = parts[1].split("x");
        boolean gemv = parts[0].equals("sgemv");
        if (dims.length != (gemv ? 2 : 3)) {
            throw new IllegalArgumentException("netlib:" + parts[0] + " takes " + (gemv ? "MxN" : "MxNxK") + ", got '"
                    + parts[1] + "'");
        }
        int m = Integer.parseInt(dims[0]);
        int n = Integer.parseInt(dims[1]);
        int k = gemv ? 1 : Integer.parseInt(dims[2]);
        SplittableRandom rng = new SplittableRandom(42);
        float[] a = NetlibBench.random(gemv ? m * n : m * k, rng);
        float[] b = NetlibBench.random(gemv ? n : k * n, rng);
        float[] netlibOut = new float[gemv ? m : m * n];
        // FloatBlas's float[] calls are its segment calls on MemorySegment.ofArray, so one pair of calls serves both
        MemorySegment sa = operand(a, segments);
        MemorySegment sb = operand(b, segments);
        MemorySegment sc = operand(new float[netlibOut.length], segments);
        FloatBlas panamax = new FloatBlas(blas.backend());
        BLAS netlib = NativeBLAS.getInstance();
        Runnable mine = gemv
                ? () -> panamax.sgemv(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, m, n, 1f, sa, 0, m, sb, 0, 1, 0f,
                        sc, 0, 1)
                : () -> panamax.sgemm(MatrixOrder.COLUMN_MAJOR, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k,
                        1f, sa, 0, m, sb, 0, k, 0f, sc, 0, m);
        Runnable theirs = gemv
                ? () -> netlib.sgemv("N", m, n, 1f, a, m, b, 1, 0f, netlibOut, 1)
                : () -> netlib.sgemm("N", "N", m, n, k, 1f, a, m, b, k, 0f, netlibOut, m);
        double flops = 2.0 * m * n * k;
        return new PairedBench.Work("netlib:" + call, segments ? "blas segment" : "blas float[]",
                checked(mine, sc, netlibOut), "NativeBLAS", theirs::run, flops / 1e3, "GFLOP/s");
    }

    // the heap array itself, or a 64-byte-aligned native copy of it (freed by the GC once the work is dropped)
    private static MemorySegment operand(float[] values, boolean segment) {
        return segment ? NetlibBench.aligned(Arena.ofAuto(), values) : MemorySegment.ofArray(values);
    }

    // Panamax's side: runs `call`, and when closed checks that its result equals netlib's (the same OpenBLAS
    // function on the same input, one thread: the same bits)
    private static PairedBench.Side checked(Runnable call, MemorySegment result, float[] theirs) {
        return new PairedBench.Side() {
            @Override
            public void call() {
                call.run();
            }

            @Override
            public void close() {
                if (!java.util.Arrays.equals(result.toArray(ValueLayout.JAVA_FLOAT), theirs)) {
                    throw new IllegalStateException("Panamax blas and NativeBLAS disagree on the same call");
                }
            }
        };
    }
}
