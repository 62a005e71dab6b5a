package dev.panamax.optim;

import dev.panamax.backend.Backend;
import dev.panamax.backend.TestBackends;
import dev.panamax.backend.Compute;
import dev.panamax.io.GoldenDir;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replays every golden optimizer run (optim_*.safetensors, found by listing the golden folder) on every
 * available backend and demands PyTorch's parameters and state BIT FOR BIT after each of the steps.
 * The optimizer is built from the file's metadata through {@link OptimizerSpec}, so the spec parser and
 * the hyperparameter defaults are checked along the way.
 */
class OptimizerGoldenTest {
    private static final String PARAM = "p";

    private static List<Backend> backends;
    private static final AtomicLong RUNS = new AtomicLong();
    private static final AtomicLong STEPS = new AtomicLong();
    private static final AtomicLong ELEMENTS = new AtomicLong();

    @BeforeAll
    static void loadBackends() {
        backends = new ArrayList<>(TestBackends.available(2));
        assertFalse(backends.isEmpty(), "no backend loaded");
        // the optimizer steps as a backend inherits them (Backend's defaults: the reference rules)
        backends.add(new dev.panamax.backend.CoreOnlyBackend());
    }

    @AfterAll
    static void report() {
        System.out.printf("optimizer golden: %d runs (file x backend), %d steps, %d float elements bit-exact%n",
                RUNS.get(), STEPS.get(), ELEMENTS.get());
        for (Backend b : backends) {
            b.close();
        }
    }

    @TestFactory
    List<DynamicTest> everyGoldenRunIsBitExactOnEveryBackend() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : GoldenDir.files("optim_")) {
            for (Backend backend : backends) {
                tests.add(DynamicTest.dynamicTest(file.getFileName() + " on " + backend.name(),
                        () -> replay(file, new Compute(backend))));
            }
        }
        return tests;
    }

    /** The spec string for the file's optimizer, every hyperparameter taken from the metadata. */
    static String specFromMetadata(Map<String, String> meta) {
        String name = meta.get("optimizer").toLowerCase(Locale.ROOT);
        StringBuilder spec = new StringBuilder(name).append('(');
        for (String key : OptimizerSpec.hyperparameterNames(name)) {
            String value = meta.get(key);
            if (value == null) {
                fail("metadata lacks hyperparameter " + key + " of " + name + ": " + meta);
            }
            if (spec.charAt(spec.length() - 1) != '(') {
                spec.append(',');
            }
            // metadata writes betas as "beta1,beta2": use the parenthesised spec form
            spec.append(key).append('=').append(key.equals("betas") ? "(" + value + ")" : value);
        }
        return spec.append(')').toString();
    }

    private static void replay(Path file, Compute compute) throws IOException {
        try (SafetensorsReader golden = SafetensorsReader.open(file); Arena arena = Arena.ofConfined()) {
            Map<String, String> meta = golden.metadata();
            int steps = Integer.parseInt(meta.get("steps"));
            OptimizerSpec spec = OptimizerSpec.parse(specFromMetadata(meta));
            assertEquals(meta.get("optimizer"), spec.optimizerName(), file + ": spec builds another optimizer");

            Tensor p = golden.readF32("p0", arena);
            Tensor g = Tensor.allocate(arena, p.shape());
            Map<String, float[]> stateHistory = new LinkedHashMap<>();
            for (String name : golden.names()) {
                if (name.startsWith("state.")) {
                    stateHistory.put(name.substring("state.".length()), golden.readFloats(name));
                }
            }
            try (Optimizer opt = spec.create(List.of(new Parameter(PARAM, p, g)), compute)) {
                TreeSet<String> expectedKeys = new TreeSet<>();
                stateHistory.keySet().forEach(k -> expectedKeys.add(Optimizer.stateKey(PARAM, k)));
                assertEquals(expectedKeys, new TreeSet<>(opt.state().keySet()),
                        file + ": the optimizer must keep exactly torch's state tensors");
                long elements = 0;
                for (int t = 1; t <= steps; t++) {
                    golden.readF32Into("g" + t, g);
                    opt.step();
                    assertEquals(t, opt.stepCount());
                    elements += assertBits(file, compute, "p" + t, golden.readFloats("p" + t), 0, p);
                    for (Map.Entry<String, float[]> s : stateHistory.entrySet()) {
                        Tensor actual = opt.state().get(Optimizer.stateKey(PARAM, s.getKey()));
                        elements += assertBits(file, compute, "state." + s.getKey() + "[" + (t - 1) + "]",
                                s.getValue(), (t - 1) * (int) p.size(), actual);
                    }
                }
                RUNS.incrementAndGet();
                STEPS.addAndGet(steps);
                ELEMENTS.addAndGet(elements);
            }
        }
    }

    private static long assertBits(Path file, Compute compute, String what, float[] expected, int offset,
                                   Tensor actual) {
        for (int i = 0; i < actual.size(); i++) {
            float e = expected[offset + i];
            float a = actual.get(i);
            if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(a)) {
                fail(String.format("%s on %s: %s element %d is %s (0x%08x), PyTorch has %s (0x%08x): %d ulp apart",
                        file.getFileName(), compute.name(), what, i, a, Float.floatToRawIntBits(a), e,
                        Float.floatToRawIntBits(e),
                        Math.abs((long) Float.floatToRawIntBits(a) - Float.floatToRawIntBits(e))));
            }
        }
        return actual.size();
    }
}
