package dev.panamax.check;

import dev.panamax.nn.Loss;
import dev.panamax.nn.Mlp;
import dev.panamax.autograd.Graph;
import dev.panamax.autograd.Variable;
import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;

/**
 * One MLP forward and backward against a PyTorch golden file ({@code mlp_*.safetensors}, made by the
 * script described in the golden README): loss, logits, dlogits and the four parameter gradients.
 * Shared by the JUnit test ({@code MlpGoldenTest}, every backend) and by the GPU check
 * ({@code GpuCheck}, which has no JUnit), so both hold a backend to exactly the same standard.
 *
 * <p>Tolerance, from the golden README: GEMM results are not bit-reproducible across BLAS
 * implementations, and the golden float32 data is itself within 5.8e-7 of a float64 run (7.2e-7 of a
 * naive sequential float32 one) relative to max|tensor|. Backends accumulate in other orders (double
 * in scalar, blocked float FMA in simd/blas, cuBLAS's own on the GPU): each result differs from the
 * exact value by at most ~k * eps_f32 * max|terms| in the worst case, far less on average.
 * {@value #TENSOR_TOLERANCE} * max|golden| per tensor is the README's recommendation: ~15x the
 * measured spread, while any formula error (wrong reduction, missing 1/B, wrong sign) is orders of
 * magnitude larger. The loss is a mean of B = 16 (or 160) terms computed in double: relative
 * {@value #LOSS_TOLERANCE}.
 *
 * <p>Every tensor the check computes on is allocated through the {@link Compute} (so on the cuda
 * backend it is resident on the GPU), and results are read after {@link Compute#synchronize()}.
 */
public final class MlpGoldenCheck {
    public static final double TENSOR_TOLERANCE = 1e-5;
    public static final double LOSS_TOLERANCE = 1e-6;

    /** A golden comparison that failed; the message names the file, the tensor, the worst element and the bound. */
    public static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    private MlpGoldenCheck() {
    }

    /**
     * Loads the weights and batch of {@code inputsFile}, records the model and loss that {@code goldenFile}'s
     * metadata names, runs forward and backward on {@code compute}, and compares.
     *
     * @throws Mismatch        when a value is outside its tolerance
     * @throws IOException     when a file cannot be read (the message names it)
     */
    public static void check(Path inputsFile, Path goldenFile, Compute compute) throws IOException {
        try (Arena arena = Arena.ofShared();
             SafetensorsReader in = SafetensorsReader.open(inputsFile);
             SafetensorsReader golden = SafetensorsReader.open(goldenFile)) {
            Map<String, String> meta = golden.metadata();
            Activation act = Activation.parse(meta.get("activation"));
            Loss loss = switch (String.valueOf(meta.get("loss"))) {
                case "cross_entropy" -> Loss.CROSS_ENTROPY;
                case "mse_softmax" -> Loss.MSE;
                case "gaussian_nll" -> Loss.GAUSSIAN_NLL;
                default -> throw new IOException(goldenFile + ": unknown loss '" + meta.get("loss") + "' in the metadata");
            };
            int[] w1 = in.shape("W1");
            int[] w2 = in.shape("W2");
            try (Mlp mlp = Mlp.create(new int[] {w1[1], w1[0], w2[0]}, act, 0, compute)) {
                Map<String, Variable> params = mlp.namedParameters();
                in.readF32Into("W1", params.get("0.weight").value());
                in.readF32Into("b1", params.get("0.bias").value());
                in.readF32Into("W2", params.get("2.weight").value());
                in.readF32Into("b2", params.get("2.bias").value());
                try (Graph g = new Graph(compute, true)) {
                    Variable x = g.input("X", compute.copyOf(arena, in.readF32("X", arena)));
                    Variable labels = g.input("y", compute.copyOf(arena, in.readF32("y_f32", arena)));
                    Variable oneHot = g.input("Y", compute.copyOf(arena, in.readF32("Y", arena)));
                    Variable var = g.input("var", compute.copyOf(arena, in.readF32("var", arena)));
                    Variable logits = mlp.forward(g, x);
                    Variable lossVar = loss.record(g, logits, labels, oneHot, var);
                    g.backward(lossVar);
                    compute.synchronize();

                    String where = goldenFile.getFileName() + " on " + compute.name();
                    double expectedLoss = golden.readFloats("loss")[0];
                    double lossDiff = Math.abs(lossVar.value().get(0) - expectedLoss);
                    if (!(lossDiff <= LOSS_TOLERANCE * Math.abs(expectedLoss))) {
                        throw new Mismatch("loss, " + where + ": " + lossVar.value().get(0) + ", golden " + expectedLoss
                                + " (|diff| " + lossDiff + " > " + LOSS_TOLERANCE + " relative)");
                    }
                    requireClose(golden, "logits", logits.value(), where);
                    requireClose(golden, "dlogits", logits.grad(), where);
                    requireClose(golden, "dW1", params.get("0.weight").grad(), where);
                    requireClose(golden, "db1", params.get("0.bias").grad(), where);
                    requireClose(golden, "dW2", params.get("2.weight").grad(), where);
                    requireClose(golden, "db2", params.get("2.bias").grad(), where);
                }
            }
        }
    }

    private static void requireClose(SafetensorsReader golden, String name, Tensor actual, String where) {
        float[] expected = golden.readFloats(name);
        float[] got = actual.toArray();
        if (expected.length != got.length) {
            throw new Mismatch(name + ", " + where + ": " + got.length + " values, golden has " + expected.length);
        }
        double maxAbs = 0;
        for (float v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs((double) got[i] - expected[i]);
            if (Double.isNaN(d)) {
                throw new Mismatch(name + ", " + where + ": element " + i + " is " + got[i] + ", golden " + expected[i]);
            }
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
        }
        if (!(worst <= TENSOR_TOLERANCE * maxAbs)) {
            throw new Mismatch(name + ", " + where + ": max |diff| " + worst + " at " + worstAt + " (" + got[worstAt]
                    + " vs golden " + expected[worstAt] + ") exceeds " + TENSOR_TOLERANCE + " * max|golden| = "
                    + TENSOR_TOLERANCE * maxAbs);
        }
    }
}
