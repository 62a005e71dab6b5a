package dev.panamax.nn;

import dev.panamax.check.MlpGoldenCheck;
import dev.panamax.TestResources;
import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.Compute;
import dev.panamax.backend.TestBackends;
import dev.panamax.data.BatchLoader;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.FashionMnistSlice;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models trained in PyTorch and saved as plain state dicts (src/test/resources/torch-model, made by
 * scripts/make-torch-model: rerun it after changing the slice or the script) evaluate in Panamax as in
 * PyTorch: the same prediction for every test image of the Fashion-MNIST slice, so the same accuracy
 * to the last sample, and logits within {@value #LOGIT_TOLERANCE} of max|logit|, on every backend, from
 * the F32 file and from its F64 copy.
 *
 * <p>Tolerance: PyTorch's float32 logits come from OpenBLAS, Panamax's from other summation orders;
 * both are within k * eps_f32 * sum|terms| of the exact value (k = 784 for the first layer), far less
 * on average. {@value #LOGIT_TOLERANCE} of max|logit| is the bound the golden MLP check uses
 * ({@link MlpGoldenCheck#TENSOR_TOLERANCE}). The predictions are then exact wherever the top two
 * logits are further apart than twice the bound: the fixture records its smallest such margin, and
 * the test checks that every sample clears it, so "to the last sample" is checked, not hoped.
 */
public class TorchModelTest {
    static final double LOGIT_TOLERANCE = MlpGoldenCheck.TENSOR_TOLERANCE;
    private static final String[][] MODELS = {{"mlp_784_64_10_relu", "relu"}, {"mlp_784_32_10_tanh", "tanh"}};

    private static DatasetPair slice;

    @BeforeAll
    static void load() throws IOException {
        slice = FashionMnistSlice.load();
    }

    @AfterAll
    static void close() {
        slice.close();
    }

    /** src/test/resources/torch-model (made by scripts/make-torch-model). */
    public static Path dir() {
        return TestResources.folder("torch-model", MODELS[0][0] + ".safetensors");
    }

    @TestFactory
    List<DynamicTest> pytorchModelsPredictAsInPytorchOnEveryBackend() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] model : MODELS) {
            for (String variant : new String[] {"", "_f64"}) {
                for (String backend : Backends.names()) {
                    tests.add(DynamicTest.dynamicTest(model[0] + variant + " on " + backend,
                            () -> check(model[0], variant, Activation.parse(model[1]), backend)));
                }
            }
        }
        return tests;
    }

    private static void check(String stem, String variant, Activation activation, String backendName) throws IOException {
        Backend backend = TestBackends.createOrAbort(backendName, 2);
        float[] expectedLogits;
        long[] expectedPredictions;
        Map<String, String> meta;
        try (SafetensorsReader r = SafetensorsReader.open(dir().resolve(stem + "_expected.safetensors"))) {
            expectedLogits = r.readFloats("logits");
            expectedPredictions = r.readLongs("predictions");
            meta = r.metadata();
        }
        int n = slice.test().size();
        assertEquals(n, expectedPredictions.length, "the fixture was made on this slice's test images");
        double maxAbs = 0;
        for (float v : expectedLogits) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double bound = LOGIT_TOLERANCE * maxAbs;
        double smallestMargin = Double.parseDouble(meta.get("smallest_top2_margin"));
        assertTrue(smallestMargin > 2 * bound, "a test image's top two logits are " + smallestMargin
                + " apart, within twice the tolerance " + bound + ": its prediction could flip; retrain the fixture");

        StateDict sd;
        try (SafetensorsReader r = SafetensorsReader.open(dir().resolve(stem + variant + ".safetensors"))) {
            sd = StateDict.read(r);
        }
        try (Compute compute = new Compute(backend);
             Mlp mlp = Mlp.create(sd.sizes(), activation, 0, compute);
             Trainer trainer = new Trainer(mlp, Loss.CROSS_ENTROPY, null, compute, sd.sizes()[0], 10);
             BatchLoader batches = new BatchLoader(slice.test(), 100, false, 0, false)) {
            sd.loadInto(mlp);
            batches.startEpoch(0);
            int row = 0;
            long correct = 0;
            double worst = 0;
            while (batches.next()) {
                int b = batches.currentBatchSize();
                trainer.evalStep(batches.x(), batches.labels());
                correct += trainer.lastCorrect();
                Tensor logits = trainer.lastLogits(false);
                for (int i = 0; i < b; i++, row++) {
                    for (int c = 0; c < 10; c++) {
                        worst = Math.max(worst, Math.abs(logits.get(i * 10 + c) - expectedLogits[row * 10 + c]));
                    }
                    assertEquals(expectedPredictions[row], logits.argmaxOfRow(i), "prediction for test image " + row);
                }
            }
            assertEquals(n, row);
            assertTrue(worst <= bound, stem + variant + " on " + backendName + ": logits differ from PyTorch's by " + worst
                    + ", bound " + bound);
            assertEquals(Long.parseLong(meta.get("correct")), correct, "PyTorch's count of correct predictions");
        }
        assertFalse(meta.getOrDefault("torch_version", "").isEmpty());
    }
}
