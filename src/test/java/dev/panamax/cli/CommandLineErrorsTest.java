package dev.panamax.cli;

import dev.panamax.cli.CliRun.Result;
import dev.panamax.data.IdxArray;
import dev.panamax.data.IdxType;
import dev.panamax.data.IdxWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.panamax.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The command line's promise: a bad argument gets one line and the usage (exit 2), a problem met while
 * running gets one line (exit 1), and never a stack trace; a good run writes its run folder, and a
 * second run does not silently replace it.
 */
class CommandLineErrorsTest {
    @TempDir
    static Path tmp;
    static Path data;

    /** A tiny IDX data set: 40 train / 20 test 28x28 images of 10 classes. */
    @BeforeAll
    static void writeTinyDataSet() throws IOException {
        data = tmp.resolve("tiny");
        SplittableRandom rng = new SplittableRandom(1);
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? 40 : 20;
            double[] pixels = new double[n * 28 * 28];
            double[] labels = new double[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
                for (int p = 0; p < 28 * 28; p++) {
                    pixels[i * 784 + p] = p % 10 == i % 10 ? 200 + rng.nextInt(50) : rng.nextInt(30);
                }
            }
            IdxWriter.write(data.resolve(split + "-images-idx3-ubyte"),
                    IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {n, 28, 28}, pixels), false);
            IdxWriter.write(data.resolve(split + "-labels-idx1-ubyte"),
                    IdxArray.fromValues(IdxType.UNSIGNED_BYTE, new int[] {n}, labels), false);
        }
    }

    private static void assertUsageError(String expectedText, String... args) {
        Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
        assertTrue(r.firstErrLine().startsWith("panamax: ") && r.firstErrLine().contains(expectedText),
                String.join(" ", args) + ": first line was '" + r.firstErrLine() + "'");
        assertTrue(r.err().contains("Usage:"), "usage follows the error");
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    private static void assertRunError(String expectedText, String... args) {
        Result r = run(args);
        assertEquals(1, r.code(), String.join(" ", args) + " -> " + r.err());
        String panamaxLines = r.err().lines().filter(l -> l.startsWith("panamax: ")
                && !l.startsWith("panamax: backend ")).reduce((a, b) -> b).orElse("");
        assertTrue(panamaxLines.contains(expectedText), String.join(" ", args) + ": stderr was " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("Usage:"), "a run-time problem is not a usage error: " + r.err());
    }

    @Test
    void badArgumentsAreUsageErrorsCheckedBeforeAnyDataIsLoaded() {
        String d = data.toString();
        assertUsageError("--epochs", "train", "--data", d, "--epochs", "0");
        assertUsageError("--batch-size", "train", "--data", d, "--batch-size", "0");
        assertUsageError("--hidden", "train", "--data", d, "--hidden", "0");
        assertUsageError("--activation", "train", "--data", d, "--activation", "foo");
        assertUsageError("--loss", "train", "--data", d, "--loss", "bar");
        assertUsageError("lr", "train", "--data", d, "--optimizer", "sgd(lr=-1)");
        assertUsageError("--backend", "train", "--data", d, "--backend", "nope");
        assertUsageError("--threads", "train", "--data", d, "--threads", "-1");
        assertUsageError("--resume", "train", "--data", d, "--resume");
        assertUsageError("Unknown option", "train", "--bogus");
        assertUsageError("--split", "eval", "x.safetensors", "--split", "validation");
        assertUsageError("--threads must be between 0", "train", "--data", d, "--threads", "100000");
        assertUsageError("--seconds", "bench", "--seconds", "Infinity");
        assertUsageError("--run-dir", "train", "--data", d, "--run-dir", "");
        assertUsageError("--dataset: unknown data set 'cifar'", "train", "--dataset", "cifar");
        assertUsageError("--dataset: unknown data set 'cifar'", "eval", "x.safetensors", "--dataset", "cifar");
        assertUsageError("--backends: unknown backend 'gpu'", "bench", "--backends", "simd,gpu");
    }

    /** The library's properties and the options are one setting each: a bad property is refused, not ignored. */
    @Test
    void backendAndThreadPropertiesAreHonouredAndChecked() {
        String d = data.toString();
        withProperty("panamax.backend", "nonsense",
                () -> assertUsageError("-Dpanamax.backend: unknown backend 'nonsense'", "train", "--data", d));
        withProperty("panamax.threads", "abc",
                () -> assertUsageError("-Dpanamax.threads=abc is not a whole number", "train", "--data", d));
        withProperty("panamax.threads", "-3", () -> assertUsageError("-Dpanamax.threads must be between 0", "train", "--data", d));
        withProperty("panamax.backend", "scalar", () -> {
            Result r = run("train", "--data", d, "--epochs", "1", "--hidden", "8", "--batch-size", "8", "--warmup-steps", "0",
                    "--run-dir", tmp.resolve("by-property").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Backend    scalar"), "-Dpanamax.backend=scalar chose the backend: " + r.out());
        });
    }

    private static void withProperty(String key, String value, Runnable body) {
        String before = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    @Test
    void runTimeProblemsAreOneLine() throws IOException {
        assertRunError("does-not-exist", "train", "--data", tmp.resolve("does-not-exist").toString());
        assertRunError("folder", "eval", tmp.toString(), "--data", data.toString());
        assertRunError("no such file", "eval", tmp.resolve("missing.safetensors").toString(), "--data", data.toString());
        Path junk = tmp.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        assertRunError("junk.safetensors", "eval", junk.toString(), "--data", data.toString());
        assertRunError("out of memory", "train", "--data", data.toString(), "--hidden", "2000000000", "--backend", "scalar",
                "--run-dir", tmp.resolve("oom").toString());
        assertRunError("lower the learning rate", "train", "--data", data.toString(), "--optimizer", "sgd(lr=1e30)",
                "--backend", "scalar", "--epochs", "3", "--run-dir", tmp.resolve("nan").toString());
        assertRunError("eps=0 makes the update 0/0", "train", "--data", zeroCornerData().toString(), "--optimizer", "adam(eps=0)",
                "--backend", "scalar", "--epochs", "2", "--hidden", "16", "--warmup-steps", "0",
                "--run-dir", tmp.resolve("eps0").toString());
        // the example: whatever epoch diverges, a checkpoint left behind holds a finite model
        Path diverging = tmp.resolve("diverging");
        assertRunError("lower the learning rate", "train", "--data", data.toString(), "--optimizer", "sgd(lr=1e10)", "--backend", "scalar",
                "--epochs", "10", "--batch-size", "8", "--hidden", "16", "--run-dir", diverging.toString());
        if (Files.exists(diverging.resolve("last.safetensors"))) {
            try (var r = dev.panamax.io.SafetensorsReader.open(diverging.resolve("last.safetensors"))) {
                for (String name : r.names()) {
                    for (float v : r.readFloats(name)) {
                        assertTrue(Float.isFinite(v), name + " in the kept checkpoint holds " + v);
                    }
                }
            }
        }
    }

    /** A PyTorch state dict (src/test/resources/torch-model) evaluates to PyTorch's own accuracy, printed to the sample. */
    @Test
    void evalTakesAPytorchStateDictAndGivesPytorchsAccuracy() throws IOException {
        Path models = dev.panamax.nn.TorchModelTest.dir();
        String slice = dev.panamax.data.FashionMnistSlice.dir().toString();
        for (String[] model : new String[][] {{"mlp_784_64_10_relu", "relu"}, {"mlp_784_32_10_tanh", "tanh"}}) {
            Map<String, String> meta;
            try (var r = dev.panamax.io.SafetensorsReader.open(models.resolve(model[0] + "_expected.safetensors"))) {
                meta = r.metadata();
            }
            double accuracy = Double.parseDouble(meta.get("correct")) / Double.parseDouble(meta.get("test_images"));
            Result r = run("eval", models.resolve(model[0] + ".safetensors").toString(), "--data", slice,
                    "--activation", model[1], "--backend", "scalar");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "Accuracy   %.2f%%", 100 * accuracy)),
                    "PyTorch's accuracy " + accuracy + ": " + r.out());
            assertTrue(r.out().contains("a PyTorch state dict"), r.out());
        }
        Path relu = models.resolve("mlp_784_64_10_relu.safetensors");
        // a model of another input size than the data's, and an activation that does not exist
        Path narrow = tmp.resolve("narrow.safetensors");
        new dev.panamax.io.SafetensorsWriter()
                .addF32("0.weight", new float[4 * 5], 4, 5).addF32("0.bias", new float[4], 4)
                .addF32("2.weight", new float[10 * 4], 10, 4).addF32("2.bias", new float[10], 10)
                .write(narrow);
        assertRunError("takes 5 inputs", "eval", narrow.toString(), "--data", slice, "--backend", "scalar");
        assertUsageError("--activation", "eval", models.resolve("mlp_784_64_10_relu.safetensors").toString(),
                "--data", slice, "--activation", "swish");
    }

    /** train --init-from a PyTorch state dict: its sizes, its weights (with lr 0 the first epoch scores PyTorch's accuracy). */
    @Test
    void trainStartsFromAPytorchStateDict() throws IOException {
        Path models = dev.panamax.nn.TorchModelTest.dir();
        Path relu = models.resolve("mlp_784_64_10_relu.safetensors");
        String correct;
        try (var r = dev.panamax.io.SafetensorsReader.open(models.resolve("mlp_784_64_10_relu_expected.safetensors"))) {
            correct = r.metadata().get("correct");
        }
        String slice = dev.panamax.data.FashionMnistSlice.dir().toString();
        Result r = run("train", "--data", slice, "--init-from", relu.toString(), "--epochs", "1", "--optimizer", "sgd(lr=0)",
                "--backend", "scalar", "--warmup-steps", "0", "--run-dir", tmp.resolve("init").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Weights    from " + relu + " (a PyTorch state dict)"), r.out());
        assertTrue(r.out().contains("Linear(in_features=784, out_features=64"), "hidden sizes from the file: " + r.out());
        double accuracy = Double.parseDouble(correct) / 1000;
        String pytorchAccuracy = String.format(java.util.Locale.ROOT, "%6.2f%%", 100 * accuracy);
        assertTrue(r.out().matches("(?s).*test loss [0-9.]+ acc " + pytorchAccuracy + ".*"),
                "PyTorch's " + pytorchAccuracy + ": " + r.out());
        assertUsageError("--hidden", "train", "--data", slice, "--init-from", relu.toString(), "--hidden", "128");
        assertUsageError("--init-from", "train", "--data", slice, "--init-from", relu.toString(), "--resume",
                "--run-dir", tmp.resolve("init").toString());
    }

    /** The tiny data set with pixel 0 black in every image, as MNIST's corners are: its weights never get a gradient. */
    private static Path zeroCornerData() throws IOException {
        Path dir = tmp.resolve("zero-corner");
        if (!Files.isDirectory(dir)) {
            for (String split : new String[] {"train", "t10k"}) {
                IdxArray images = dev.panamax.data.IdxReader.read(data.resolve(split + "-images-idx3-ubyte"));
                double[] pixels = new double[images.count()];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = i % 784 == 0 ? 0 : images.get(i);
                }
                IdxWriter.write(dir.resolve(split + "-images-idx3-ubyte"),
                        IdxArray.fromValues(IdxType.UNSIGNED_BYTE, images.dims(), pixels), false);
                Files.copy(data.resolve(split + "-labels-idx1-ubyte"), dir.resolve(split + "-labels-idx1-ubyte"));
            }
        }
        return dir;
    }

    @Test
    void aPytorchStateDictThatIsNotAModelIsOneLineNamingTheTensor() throws IOException {
        Path bad = tmp.resolve("not-linear.safetensors");
        new dev.panamax.io.SafetensorsWriter()
                .addF32("0.weight", new float[784 * 4], 4, 784)
                .addF32("0.bias", new float[4], 4)
                .addF32("bn.running_mean", new float[4], 4)
                .write(bad);
        assertRunError("unexpected tensor 'bn.running_mean'", "eval", bad.toString(), "--data", data.toString());
        Path missing = tmp.resolve("no-bias.safetensors");
        new dev.panamax.io.SafetensorsWriter().addF32("0.weight", new float[784 * 10], 10, 784).write(missing);
        assertRunError("missing tensor 0.bias", "eval", missing.toString(), "--data", data.toString());
    }

    @Test
    void aRunWritesItsFolderAndASecondRunDoesNotReplaceIt() throws IOException {
        Path dir = tmp.resolve("run");
        Result first = run("train", "--data", data.toString(), "--epochs", "1", "--batch-size", "8", "--hidden", "16",
                "--backend", "scalar", "--run-dir", dir.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("0.weight") && first.out().contains("epoch  1/1"), first.out());
        for (String f : new String[] {"last.safetensors", "metrics.csv", "metrics.jsonl", "training.png"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        byte[] checkpoint = Files.readAllBytes(dir.resolve("last.safetensors"));
        assertRunError("already holds a checkpoint", "train", "--data", data.toString(), "--epochs", "1",
                "--backend", "scalar", "--run-dir", dir.toString());
        assertArrayEquals(checkpoint, Files.readAllBytes(dir.resolve("last.safetensors")), "nothing was replaced");

        Result resumed = run("train", "--data", data.toString(), "--epochs", "2", "--batch-size", "8", "--hidden", "16",
                "--backend", "scalar", "--run-dir", dir.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("Resumed") && resumed.out().contains("epoch  2/2"), resumed.out());

        Result eval = run("eval", dir.resolve("last.safetensors").toString(), "--data", data.toString(), "--backend", "scalar");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Accuracy") && eval.out().contains("Per class"), eval.out());
    }
}
