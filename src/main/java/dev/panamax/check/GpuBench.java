package dev.panamax.check;

import dev.panamax.backend.cuda.CudaBackend;
import dev.panamax.backend.cuda.CudaLibraries;
import dev.panamax.backend.Compute;
import dev.panamax.backend.cuda.ffi.Cublas;
import dev.panamax.backend.cuda.ffi.CudaDriver;
import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * {@code java -cp panamax.jar dev.panamax.check.GpuBench [TORCH_RESULTS]}: SGEMM throughput on
 * the GPU, printed as a table in GFLOP/s (2mnk / time):
 * <ul>
 *   <li><b>cuBLAS device</b>: cublasSgemm_v2 on device-resident buffers, timed with CUDA events over
 *       enough back-to-back calls to fill ~{@value #TARGET_SECONDS} s: the library's own speed;</li>
 *   <li><b>Compute resident</b>: {@code Compute.gemm} on tensors from {@code compute.allocate} (unified
 *       memory on the GPU), calls queued back to back and one wait at the end, timed by the wall clock:
 *       the library path of a training step, FFM and argument checks included;</li>
 *   <li><b>Compute host</b>: {@code Compute.gemm} on host tensors, with both copies and the
 *       synchronisation of every call, timed by the wall clock;</li>
 *   <li><b>torch</b>: the same shapes in PyTorch (fp32, TF32 off), read from {@code TORCH_RESULTS}
 *       (lines {@code label gflops}, written by scripts/gpu-bench-torch.py) when given.</li>
 * </ul>
 * Shapes: 1024 and 4096 squared, and the five GEMMs of a 784-256-10 MLP step at batch 128.
 *
 * <p>Then a second table: training throughput at batch 128 and 1024 ({@link TrainingThroughput}),
 * with PyTorch's {@code train-128} / {@code train-1024} lines (samples/s) from the same file.
 */
public final class GpuBench {
    private static final double TARGET_SECONDS = 0.25;
    private static final int MAX_ITERATIONS = 10_000;

    /** One GEMM: C (m,n) = op(A) op(B), with its label as scripts/gpu-bench-torch.py writes it. */
    public record Shape(String label, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape("square-1024", false, false, 1024, 1024, 1024),
            new Shape("square-4096", false, false, 4096, 4096, 4096),
            new Shape("mlp-fc1-forward", false, true, 128, 256, 784),
            new Shape("mlp-fc1-dW", true, false, 256, 784, 128),
            new Shape("mlp-fc2-forward", false, true, 128, 10, 256),
            new Shape("mlp-fc2-dW", true, false, 10, 256, 128),
            new Shape("mlp-fc2-dx", false, false, 128, 256, 10));

    private GpuBench() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Double> torch = args.length > 0 ? readTorch(Path.of(args[0])) : Map.of();
        CudaBackend gpu;
        try {
            gpu = new CudaBackend(0);
        } catch (dev.panamax.backend.BackendUnavailableException e) {
            System.out.println("GpuBench: cuda backend unavailable: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (CudaBackend backend = gpu;
             CudaBackend copying = new CudaBackend(CudaLibraries.defaultFolders(),
                     Integer.getInteger(CudaBackend.DEVICE_PROPERTY, 0), false)) {
            run(backend, copying, torch, SHAPES, new int[] {128, 1024}, 1.0, System.out);
        }
    }

    /**
     * Both tables. {@code copying}: a second backend on the same GPU with unified memory off, for the
     * copy-per-call column; {@code timeScale} scales the training runs' durations (1 = 1 to 2 s each).
     * Parameters rather than constants so that a test runs the whole program small, on a fake driver.
     */
    public static void run(CudaBackend backend, CudaBackend copying, Map<String, Double> torch, List<Shape> shapes, int[] batches,
                    double timeScale, PrintStream out) {
        out.println("cuda: " + backend.describe());
        out.println("SGEMM, GFLOP/s");
        out.printf(Locale.ROOT, "%-16s %5s %5s %5s %4s %14s %16s %14s %14s%n", "shape", "m", "n", "k", "op",
                "cuBLAS device", "Compute resident", "Compute host", "torch");
        for (Shape s : shapes) {
            double device = deviceGflops(backend, s);
            double resident = computeGflops(backend, s, true);
            double host = computeGflops(backend, s, false);
            Double t = torch.get(s.label());
            String op = (s.transA() ? "T" : "N") + (s.transB() ? "T" : "N");
            out.printf(Locale.ROOT, "%-16s %5d %5d %5d %4s %14.1f %16.1f %14.1f %14s%n", s.label(), s.m(), s.n(),
                    s.k(), op, device, resident, host, t == null ? "-" : String.format(Locale.ROOT, "%.1f", t));
        }
        out.println("GFLOP/s = 2mnk / time. cuBLAS device and torch: data on the GPU, CUDA events; Compute resident: "
                + "tensors in unified memory, calls queued, one wait, wall clock; Compute host: host tensors, each call "
                + "copies in and out and waits.");
        out.println();
        training(backend, copying, torch, batches, timeScale, out);
    }

    /**
     * Samples per second training 784-256-10 (TrainingThroughput) at batch 128 and 1024: resident
     * (model, graph and data set in unified memory: what Panamax does on a GPU), resident model with the
     * data uploaded batch by batch from the host, every tensor copied per call (unified memory off: the
     * backend's fallback), and PyTorch eager with its data on the GPU.
     */
    private static void training(CudaBackend resident, CudaBackend copying, Map<String, Double> torch, int[] batches,
                                 double timeScale, PrintStream out) {
        out.println("training 784-256-10 relu, cross-entropy, sgd(lr=0.05, momentum=0.9); samples/s (final loss)");
        out.printf(Locale.ROOT, "%6s %28s %28s %28s %12s%n", "batch", "resident, data on GPU",
                "resident, host data", "copy per call", "torch eager");
        Compute compute = new Compute(resident); // not closed: closing a Compute closes its backend, the caller's
        Compute perCall = new Compute(copying);
        for (int batch : batches) {
            TrainingThroughput.Result onGpu = TrainingThroughput.measure(compute, batch, true, timeScale, 2 * timeScale, 0);
            TrainingThroughput.Result hostData = TrainingThroughput.measure(compute, batch, false, timeScale / 2,
                    1.5 * timeScale, 0);
            TrainingThroughput.Result copied = TrainingThroughput.measure(perCall, batch, false, timeScale / 2, timeScale, 0);
            Double t = torch.get("train-" + batch);
            out.printf(Locale.ROOT, "%6d %28s %28s %28s %12s%n", batch, cell(onGpu), cell(hostData), cell(copied),
                    t == null ? "-" : String.format(Locale.ROOT, "%.0f", t));
        }
        out.println("Each step waits once (for the loss), as torch's loop does with loss.item(); "
                + "a cell marked NOT LEARNING had a loss that did not fall by 10%: its speed is not a result.");
    }

    private static String cell(TrainingThroughput.Result r) {
        return String.format(Locale.ROOT, "%.0f (%.3f)%s", r.samplesPerSecond(), r.lastLoss(), r.learned() ? "" : " NOT LEARNING");
    }

    private static Map<String, Double> readTorch(Path file) throws IOException {
        Map<String, Double> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 2) {
                try {
                    out.put(parts[0], Double.parseDouble(parts[1]));
                } catch (NumberFormatException notAFigure) {
                    // a stray line of torch's output: not a result, and no reason to lose the GPU run
                }
            }
        }
        return out;
    }

    /** cuBLAS alone: row-major mapping as in CudaBackend.gemm, buffers already on the device. */
    private static double deviceGflops(CudaBackend backend, Shape s) {
        CudaDriver cu = backend.driver();
        Cublas cublas = backend.cublas();
        MemorySegment stream = backend.stream();
        backend.makeCurrent();
        long aBytes = (long) s.m() * s.k() * Float.BYTES;
        long bBytes = (long) s.k() * s.n() * Float.BYTES;
        long cBytes = (long) s.m() * s.n() * Float.BYTES;
        long a = cu.memAlloc(aBytes);
        long b = cu.memAlloc(bBytes);
        long c = cu.memAlloc(cBytes);
        MemorySegment start = cu.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
        MemorySegment end = cu.eventCreate(CudaDriver.CU_EVENT_DEFAULT);
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(1);
            cu.copyToDevice(a, random(arena, rnd, aBytes), aBytes);
            cu.copyToDevice(b, random(arena, rnd, bBytes), bBytes);
            MemorySegment alpha = arena.allocateFrom(JAVA_FLOAT, 1f);
            MemorySegment beta = arena.allocateFrom(JAVA_FLOAT, 0f);
            int lda = s.transA() ? s.m() : s.k();
            int ldb = s.transB() ? s.k() : s.n();
            Runnable call = () -> cublas.sgemm(backend.cublasHandle(), s.transB() ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                    s.transA() ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, s.n(), s.m(), s.k(), alpha, b, ldb, a, lda, beta, c, s.n());
            call.run(); // warm-up: cuBLAS picks and loads its kernel on the first call of a shape
            cu.streamSynchronize(stream);
            double one = timeDevice(cu, stream, start, end, call, 1);
            int iterations = (int) Math.max(3, Math.min(MAX_ITERATIONS, TARGET_SECONDS / Math.max(one, 1e-7)));
            double seconds = timeDevice(cu, stream, start, end, call, iterations);
            return s.flops() * iterations / seconds / 1e9;
        } finally {
            cu.eventDestroy(start);
            cu.eventDestroy(end);
            cu.memFree(a);
            cu.memFree(b);
            cu.memFree(c);
        }
    }

    private static double timeDevice(CudaDriver cu, MemorySegment stream, MemorySegment start, MemorySegment end,
                                     Runnable call, int iterations) {
        cu.eventRecord(start, stream);
        for (int i = 0; i < iterations; i++) {
            call.run();
        }
        cu.eventRecord(end, stream);
        cu.eventSynchronize(end);
        return cu.elapsedMillis(start, end) / 1e3;
    }

    /**
     * Through the checked facade, as the library runs it: on resident tensors (queued, one wait after
     * the timed calls) or on host tensors (each call copies and waits).
     */
    private static double computeGflops(CudaBackend backend, Shape s, boolean resident) {
        Compute compute = new Compute(backend); // not closed: that would close the backend
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(2);
            Tensor a = Tensor.wrap(random(arena, rnd, (long) s.m() * s.k() * Float.BYTES),
                    s.transA() ? s.k() : s.m(), s.transA() ? s.m() : s.k());
            Tensor b = Tensor.wrap(random(arena, rnd, (long) s.k() * s.n() * Float.BYTES),
                    s.transB() ? s.n() : s.k(), s.transB() ? s.k() : s.n());
            Tensor c = Tensor.allocate(arena, s.m(), s.n());
            if (resident) {
                a = compute.copyOf(arena, a);
                b = compute.copyOf(arena, b);
                c = compute.allocate(arena, s.m(), s.n());
            }
            compute.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c); // warm-up, and the device buffers
            compute.synchronize();
            long t0 = System.nanoTime();
            compute.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c);
            compute.synchronize();
            double one = (System.nanoTime() - t0) / 1e9;
            int iterations = (int) Math.max(3, Math.min(MAX_ITERATIONS, TARGET_SECONDS / Math.max(one, 1e-7)));
            t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                compute.gemm(s.transA(), s.transB(), 1f, a, b, 0f, c);
            }
            compute.synchronize();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return s.flops() * iterations / seconds / 1e9;
        }
    }

    private static MemorySegment random(Arena arena, Random rnd, long bytes) {
        MemorySegment seg = arena.allocate(bytes, Tensor.ALIGNMENT);
        for (long i = 0; i < bytes / Float.BYTES; i++) {
            seg.setAtIndex(JAVA_FLOAT, i, (float) rnd.nextGaussian());
        }
        return seg;
    }
}
