package dev.panamax.nn;

import dev.panamax.check.MlpGoldenCheck;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Compute;
import dev.panamax.backend.TestBackends;
import dev.panamax.backend.DeferredBackend;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.io.GoldenDir;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The MLP's forward and backward against PyTorch: every mlp_*.safetensors file of the golden folder
 * (except the inputs) on every backend that loads, and on {@link DeferredBackend} (the scalar reference
 * made asynchronous, as the cuda backend is). Comparison and tolerances: {@link MlpGoldenCheck}.
 */
class MlpGoldenTest {

    @TestFactory
    List<DynamicTest> everyGoldenMlpFileOnEveryBackend() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        Path inputs = GoldenDir.path().resolve("mlp_inputs.safetensors");
        for (Path file : GoldenDir.files("mlp_")) {
            if (file.equals(inputs)) {
                continue;
            }
            for (String backend : TestBackends.names()) {
                tests.add(DynamicTest.dynamicTest(file.getFileName() + " on " + backend, () -> check(inputs, file, backend)));
            }
            // a backend with the core kernels only: the softmax family and the optimizer steps are inherited
            tests.add(DynamicTest.dynamicTest(file.getFileName() + " on core-only", () -> {
                try (Compute compute = new Compute(new dev.panamax.backend.CoreOnlyBackend())) {
                    MlpGoldenCheck.check(inputs, file, compute);
                }
            }));
            tests.add(DynamicTest.dynamicTest(file.getFileName() + " on deferred scalar", () -> {
                try (Compute compute = new Compute(new DeferredBackend(new ScalarBackend()))) {
                    MlpGoldenCheck.check(inputs, file, compute);
                }
            }));
        }
        assertFalse(tests.isEmpty(), "no golden MLP files found");
        return tests;
    }

    private static void check(Path inputsFile, Path goldenFile, String backendName) throws IOException {
        Backend backend = TestBackends.createOrAbort(backendName, 2);
        try (Compute compute = new Compute(backend)) {
            MlpGoldenCheck.check(inputsFile, goldenFile, compute);
        }
    }
}
