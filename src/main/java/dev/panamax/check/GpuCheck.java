package dev.panamax.check;

import dev.panamax.backend.cuda.CudaBackend;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.Compute;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code java -cp panamax.jar dev.panamax.check.GpuCheck [GOLDEN_DIR]}: the GPU test suite
 * without JUnit, for machines that have a GPU but no build tools ({@code scripts/gpu-check run}). Runs
 * every {@link CudaEquivalence} check against the scalar reference and, when a folder of PyTorch golden
 * files is given, every {@code mlp_*.safetensors} in it through {@link MlpGoldenCheck}; prints one line
 * per check, {@code PASS name} or {@code FAIL name: what differs}, then a summary.
 *
 * <p>Exit status: 0 all passed, 1 some failed, 2 the cuda backend is unavailable here (reason printed).
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) {
        CudaBackend backend;
        try {
            backend = new CudaBackend(0);
        } catch (BackendUnavailableException e) {
            System.out.println("FAIL cuda backend unavailable: " + e.getMessage());
            System.exit(2);
            return;
        }
        int passed = 0;
        int failed = 0;
        long start = System.nanoTime();
        try {
            System.out.println("cuda: " + backend.describe());
            List<CudaEquivalence.Check> checks = new ArrayList<>(new CudaEquivalence(backend).checks());
            if (args.length > 0) {
                checks.addAll(goldenChecks(Path.of(args[0]), backend));
            }
            for (CudaEquivalence.Check check : checks) {
                try {
                    check.run();
                    System.out.println("PASS " + check.name());
                    passed++;
                } catch (RuntimeException e) {
                    System.out.println("FAIL " + check.name() + ": " + e);
                    failed++;
                }
            }
        } finally {
            try {
                backend.close();
            } catch (RuntimeException e) { // after a kernel fault every CUDA call fails: say so, keep the summary
                System.out.println("FAIL closing the backend: " + e);
                failed++;
            }
        }
        System.out.printf("%d passed, %d failed (%.1f s)%n", passed, failed, (System.nanoTime() - start) / 1e9);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** One check per golden MLP file; a folder without any is itself a failed check, never a silent pass. */
    public static List<CudaEquivalence.Check> goldenChecks(Path dir, CudaBackend backend) {
        Path inputs = dir.resolve("mlp_inputs.safetensors");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("mlp_.*\\.safetensors") && !p.equals(inputs))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of(new CudaEquivalence.Check("golden MLP files in " + dir, () -> {
                throw new UncheckedIOException("cannot list " + dir, e);
            }));
        }
        if (files.isEmpty() || !Files.isRegularFile(inputs)) {
            return List.of(new CudaEquivalence.Check("golden MLP files in " + dir, () -> {
                throw new IllegalStateException("no mlp_*.safetensors files (or no mlp_inputs.safetensors) in " + dir);
            }));
        }
        Compute compute = new Compute(backend); // not closed: closing a Compute closes the backend, closed by main
        List<CudaEquivalence.Check> out = new ArrayList<>();
        for (Path file : files) {
            out.add(new CudaEquivalence.Check("golden " + file.getFileName() + " (PyTorch forward and gradients)", () -> {
                try {
                    MlpGoldenCheck.check(inputs, file, compute);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        return out;
    }
}
