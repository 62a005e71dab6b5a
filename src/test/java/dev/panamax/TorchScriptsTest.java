package dev.panamax;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.data.BatchLoader;
import dev.panamax.data.DatasetPair;
import dev.panamax.data.FashionMnistSlice;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.nn.Loss;
import dev.panamax.check.MlpGoldenCheck;
import dev.panamax.nn.TorchModelTest;
import dev.panamax.optim.OptimizerSpec;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.ModelSpec;
import dev.panamax.train.Trainer;
import dev.panamax.train.TrainingSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The project's PyTorch scripts, where a Python with torch is installed (Debian's python3-torch;
 * .ci/run installs it): a Panamax checkpoint loads into torch.nn.Sequential with load_state_dict and
 * predicts there as in Panamax; the golden set and the PyTorch model fixtures regenerate bit for bit.
 * Elsewhere each test is skipped with what to install.
 */
class TorchScriptsTest {
    private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();

    /** The first of PANAMAX_PYTHON, /usr/bin/python3, python3 on PATH that imports torch (as scripts/lib.sh looks). */
    static Optional<String> torchPython() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("PANAMAX_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(c);
                }
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static String requireTorch() {
        Optional<String> python = torchPython();
        Assumptions.assumeTrue(python.isPresent(), "no Python with torch here (apt-get install python3-torch; .ci/run does)");
        return python.get();
    }

    private record Output(int exit, String text) {
    }

    /**
     * The reference files were made with ATen's AVX2 kernels and OpenBLAS's Haswell ones (the scripts pin
     * both); a CPU without AVX2 and FMA cannot run them, and its own kernels round differently (with
     * ATen's scalar kernels 719 of the golden set's tensors differ, with its AVX-512 ones 26).
     */
    private static void requireAvx2() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String flags = Files.isReadable(cpuinfo) ? Files.readString(cpuinfo) : "";
        Assumptions.assumeTrue(flags.contains(" avx2") && flags.contains(" fma"),
                "regenerating bit for bit needs the AVX2 and FMA kernels the references were made with");
    }

    private static Output run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OPENBLAS_CORETYPE", "Haswell");
        pb.environment().put("ATEN_CPU_CAPABILITY", "avx2"); // as scripts/make-golden pins it
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "did not finish: " + command);
        return new Output(p.exitValue(), text);
    }

    @Test
    void aPanamaxCheckpointLoadsIntoPytorchAndPredictsAsInPanamax(@TempDir Path tmp) throws Exception {
        String python = requireTorch();
        ModelSpec spec = ModelSpec.unstandardized(new int[] {784, 32, 10}, Activation.TANH, Loss.CROSS_ENTROPY);
        Path runDir = tmp.resolve("run");
        float[] panamaxLogits;
        int[] panamaxPredictions;
        long panamaxCorrect = 0;
        try (DatasetPair slice = FashionMnistSlice.load();
             Compute compute = new Compute(new ScalarBackend());
             TrainingSession s = new TrainingSession(spec, OptimizerSpec.parse("adam(lr=0.002)"), compute, slice,
                     new TrainingSession.Options(1, 100, 3, runDir, false))) {
            s.run(new TrainingSession.Listener() { });
            int n = slice.test().size();
            panamaxLogits = new float[n * 10];
            panamaxPredictions = new int[n];
            try (Trainer trainer = new Trainer(s.model(), Loss.CROSS_ENTROPY, null, compute, 784, 10);
                 BatchLoader batches = new BatchLoader(slice.test(), 100, false, 0, false)) {
                batches.startEpoch(0);
                int row = 0;
                while (batches.next()) {
                    trainer.evalStep(batches.x(), batches.labels());
                    panamaxCorrect += trainer.lastCorrect();
                    Tensor logits = trainer.lastLogits(false);
                    for (int i = 0; i < batches.currentBatchSize(); i++, row++) {
                        panamaxPredictions[row] = logits.argmaxOfRow(i);
                        for (int c = 0; c < 10; c++) {
                            panamaxLogits[row * 10 + c] = logits.get(i * 10 + c);
                        }
                    }
                }
            }
        }
        Path out = tmp.resolve("torch.safetensors");
        Output o = run(List.of(python, SCRIPTS.resolve("golden/load_in_torch.py").toString(),
                runDir.resolve(TrainingSession.CHECKPOINT).toString(), FashionMnistSlice.dir().toString(), out.toString()));
        assertEquals(0, o.exit(), o.text());
        try (SafetensorsReader r = SafetensorsReader.open(out)) {
            float[] torchLogits = r.readFloats("logits");
            long[] torchPredictions = r.readLongs("predictions");
            double maxAbs = 0;
            double worst = 0;
            for (int i = 0; i < torchLogits.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(torchLogits[i]));
                worst = Math.max(worst, Math.abs(torchLogits[i] - panamaxLogits[i]));
            }
            // the bound TorchModelTest derives, in the other direction
            double bound = MlpGoldenCheck.TENSOR_TOLERANCE * maxAbs;
            assertTrue(worst <= bound, "PyTorch's logits differ from Panamax's by " + worst + ", bound " + bound);
            for (int i = 0; i < torchPredictions.length; i++) {
                if (margin(torchLogits, i) > 2 * bound) {
                    assertEquals(panamaxPredictions[i], torchPredictions[i], "prediction for test image " + i);
                }
            }
            assertTrue(o.text().contains("correct "), o.text());
            long torchCorrect = Long.parseLong(r.metadata().get("correct"));
            assertTrue(Math.abs(torchCorrect - panamaxCorrect) <= nearTies(torchLogits, 2 * bound),
                    "PyTorch " + torchCorrect + " correct, Panamax " + panamaxCorrect);
        }
    }

    private static double margin(float[] logits, int row) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < 10; c++) {
            float v = logits[row * 10 + c];
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    private static long nearTies(float[] logits, double within) {
        long n = 0;
        for (int row = 0; row < logits.length / 10; row++) {
            if (margin(logits, row) <= within) {
                n++;
            }
        }
        return n;
    }

    @Test
    void theGoldenSetRegeneratesBitForBit() throws Exception {
        requireTorch();
        requireAvx2();
        Output o = run(List.of("bash", SCRIPTS.resolve("make-golden").toString(), "--check"));
        assertEquals(0, o.exit(), o.text());
        assertTrue(o.text().contains("identical tensors"), o.text());
    }

    @Test
    void thePytorchModelFixturesRegenerateBitForBit(@TempDir Path tmp) throws Exception {
        requireTorch();
        requireAvx2();
        Output o = run(List.of("bash", SCRIPTS.resolve("make-torch-model").toString(), tmp.toString()));
        assertEquals(0, o.exit(), o.text());
        Path repo = TorchModelTest.dir();
        List<Path> files;
        try (Stream<Path> s = Files.list(repo)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "fixtures in " + repo + ": " + files);
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(tmp.resolve(f.getFileName())), f.getFileName().toString());
        }
    }
}
