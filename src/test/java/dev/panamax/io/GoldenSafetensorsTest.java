package dev.panamax.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads every golden file through the project's reader and checks it against the manifest and the
 * README's protocol. Every size (batch, layer widths, classes, parameter shape, steps) comes from the
 * files' metadata and shapes, so the same checks hold for any set given through PANAMAX_GOLDEN_DIR;
 * a synthetic set of other sizes proves that they do.
 */
class GoldenSafetensorsTest {

    @Test
    void everyGoldenFileMatchesTheManifest() throws Exception {
        checkManifest(GoldenDir.path());
    }

    @Test
    void mlpInputsHaveTheDocumentedShapesAndLabels() throws IOException {
        checkMlpInputs(GoldenDir.path());
    }

    @Test
    void optimizerFilesHoldTheProtocolTensors() throws IOException {
        checkOptimizerFiles(GoldenDir.path());
    }

    @Test
    void theRepositoryCopyIsTheOneTheBuildUses() throws IOException {
        // the suite must run on a bare clone: the golden set lives in the repository, not beside it
        Path dir = GoldenDir.path().toRealPath();
        if (System.getenv(GoldenDir.ENV) == null) {
            assertTrue(dir.endsWith(Path.of("src", "test", "resources", GoldenDir.RESOURCE)), dir.toString());
            assertTrue(dir.startsWith(Path.of("").toRealPath()), dir + " is outside the project folder");
        }
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("optim_sgd.safetensors"))) {
            assertEquals("scripts/golden/make_golden.py", r.metadata().get("generator"),
                    "made by the repository's own generator");
            assertFalse(r.metadata().getOrDefault("torch_version", "").isEmpty(), "torch version recorded");
        }
    }

    /** A set with other sizes than the repository's passes the same checks: nothing hard-codes 16, 784, 7x5, 20. */
    @Test
    void theChecksReadEverySizeFromTheFiles(@TempDir Path dir) throws Exception {
        writeSyntheticSet(dir, 3, 4, 0);
        checkManifest(dir);
        checkMlpInputs(dir);
        checkOptimizerFiles(dir);
    }

    @Test
    void aSetWhoseShapesContradictItsMetadataFailsTheChecks(@TempDir Path dir) throws Exception {
        writeSyntheticSet(dir, 3, 4, 1); // metadata says batch 4, X has 3 rows
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> checkMlpInputs(dir));
        assertTrue(e.getMessage().contains("X"), e.getMessage());
    }

    @Test
    void aFileTheManifestDoesNotKnowFailsTheChecks(@TempDir Path dir) throws Exception {
        writeSyntheticSet(dir, 3, 4, 0);
        Files.copy(dir.resolve("optim_sgd.safetensors"), dir.resolve("optim_sgd_copy.safetensors"));
        assertThrows(AssertionFailedError.class, () -> checkManifest(dir));
    }

    @SuppressWarnings("unchecked")
    static void checkManifest(Path dir) throws Exception {
        byte[] manifestBytes = Files.readAllBytes(dir.resolve("manifest.json"));
        JsonParser json = new JsonParser(manifestBytes, manifestBytes.length);
        Map<String, Object> manifest = (Map<String, Object>) tree(json);
        json.end();
        List<Map<String, Object>> files = (List<Map<String, Object>>) manifest.get("files");
        List<Path> onDisk = GoldenDir.files(dir, "");
        assertEquals(onDisk.size(), files.size(), "manifest lists every .safetensors file");
        for (Map<String, Object> entry : files) {
            Path f = dir.resolve((String) entry.get("file"));
            byte[] bytes = Files.readAllBytes(f);
            assertEquals(entry.get("bytes"), (long) bytes.length, f.toString());
            assertEquals(entry.get("sha256"), sha256(bytes), f.toString());
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                assertEquals(entry.get("tensors"), (long) r.names().size(), f.toString());
                for (TensorInfo t : r.tensors()) {
                    if (t.dtype() == DType.F32) {
                        for (float v : r.readFloats(t.name())) {
                            assertTrue(Float.isFinite(v), f + " " + t.name() + " holds a non-finite value");
                        }
                    }
                }
            }
        }
    }

    /** The next JSON value as maps, lists, strings and longs (the manifest is the repository's own, small file). */
    private static Object tree(JsonParser json) throws JsonParseException {
        switch (json.peek()) {
            case OBJECT -> {
                Map<String, Object> members = new java.util.LinkedHashMap<>();
                json.beginObject();
                for (String key; (key = json.nextKey()) != null; ) {
                    members.put(key, tree(json));
                }
                return members;
            }
            case ARRAY -> {
                List<Object> items = new java.util.ArrayList<>();
                json.beginArray();
                while (json.hasNext()) {
                    items.add(tree(json));
                }
                return items;
            }
            case STRING -> {
                return json.string();
            }
            default -> {
                return json.integer();
            }
        }
    }

    static void checkMlpInputs(Path dir) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("mlp_inputs.safetensors"))) {
            int batch = Integer.parseInt(r.metadata().get("batch"));
            int[] w1 = r.shape("W1");
            int[] w2 = r.shape("W2");
            assertEquals(2, w1.length, "W1 is [hidden, in]");
            assertEquals(2, w2.length, "W2 is [classes, hidden]");
            int in = w1[1];
            int hidden = w1[0];
            int classes = w2[0];
            assertEquals(hidden, w2[1], "W2's inputs are W1's outputs");
            assertArrayEquals(new int[] {hidden}, r.shape("b1"), "b1");
            assertArrayEquals(new int[] {classes}, r.shape("b2"), "b2");
            assertArrayEquals(new int[] {batch, in}, r.shape("X"), "X is [batch, in] with the metadata's batch");
            assertArrayEquals(new int[] {batch, classes}, r.shape("Y"), "Y");
            assertArrayEquals(new int[] {batch, classes}, r.shape("var"), "var");
            assertEquals(DType.I64, r.dtype("y"));
            long[] y = r.readLongs("y");
            float[] yF32 = r.readFloats("y_f32");
            float[] oneHot = r.readFloats("Y");
            assertEquals(batch, y.length, "y");
            for (int i = 0; i < y.length; i++) {
                assertTrue(y[i] >= 0 && y[i] < classes, "label " + y[i]);
                assertEquals((float) y[i], yF32[i]);
                for (int c = 0; c < classes; c++) {
                    assertEquals(c == y[i] ? 1f : 0f, oneHot[i * classes + c], "Y[" + i + "," + c + "]");
                }
            }
            for (float x : r.readFloats("X")) {
                assertTrue(x >= 0f && x < 1f, "X ~ U[0,1), got " + x);
            }
            for (float v : r.readFloats("var")) {
                assertEquals(1f, v, "var = 1");
            }
        }
    }

    static void checkOptimizerFiles(Path dir) throws IOException {
        List<Path> files = GoldenDir.files(dir, "optim_");
        float[] p0 = null;
        for (Path f : files) {
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                int steps = Integer.parseInt(r.metadata().get("steps"));
                int[] shape = Arrays.stream(r.metadata().get("param_shape").split(",")).mapToInt(Integer::parseInt).toArray();
                assertTrue(steps > 0, f + ": steps " + steps);
                assertArrayEquals(shape, r.shape("p0"), f.toString());
                for (int t = 1; t <= steps; t++) {
                    assertArrayEquals(shape, r.shape("g" + t), f + " g" + t);
                    assertArrayEquals(shape, r.shape("p" + t), f + " p" + t);
                }
                // "state_tensors" lists the state.* tensors, or says "none" (plain SGD)
                String listed = r.metadata().get("state_tensors");
                List<String> declared = listed.equals("none") ? List.of() : List.of(listed.split(","));
                List<String> present = r.names().stream().filter(n -> n.startsWith("state.")).toList();
                assertEquals(declared, present, f + " state tensors");
                int[] stateShape = new int[shape.length + 1];
                stateShape[0] = steps;
                System.arraycopy(shape, 0, stateShape, 1, shape.length);
                for (String s : present) {
                    assertArrayEquals(stateShape, r.shape(s), f + " " + s);
                }
                assertEquals(1 + 2 * steps + present.size(), r.names().size(), f + ": p0, g_t, p_t, state.* only");
                // the README promises the same p0 in every optimizer file
                float[] mine = r.readFloats("p0");
                if (p0 == null) {
                    p0 = mine;
                } else {
                    assertArrayEquals(p0, mine, f + " p0");
                }
            }
        }
    }

    /**
     * A golden-shaped set of other sizes: batch {@code batch}, 5 inputs, {@code hidden} hidden units,
     * 3 classes, one optimizer file of 4 steps on a 2x3 parameter, and its manifest. The batch the
     * metadata states is {@code batch + metadataBatchError}.
     */
    private static void writeSyntheticSet(Path dir, int batch, int hidden, int metadataBatchError) throws Exception {
        int in = 5;
        int classes = 3;
        long[] y = new long[batch];
        float[] yF32 = new float[batch];
        float[] oneHot = new float[batch * classes];
        for (int i = 0; i < batch; i++) {
            y[i] = i % classes;
            yF32[i] = y[i];
            oneHot[i * classes + i % classes] = 1f;
        }
        float[] ones = new float[batch * classes];
        Arrays.fill(ones, 1f);
        new SafetensorsWriter()
                .metadata("batch", Integer.toString(batch + metadataBatchError))
                .addI64("y", y, batch)
                .addF32("W1", ramp(hidden * in, 0.01f), hidden, in)
                .addF32("b1", ramp(hidden, 0.02f), hidden)
                .addF32("W2", ramp(classes * hidden, 0.03f), classes, hidden)
                .addF32("b2", ramp(classes, 0.04f), classes)
                .addF32("X", ramp(batch * in, 1f / (batch * in)), batch, in)
                .addF32("y_f32", yF32, batch)
                .addF32("Y", oneHot, batch, classes)
                .addF32("var", ones, batch, classes)
                .write(dir.resolve("mlp_inputs.safetensors"));
        int steps = 4;
        SafetensorsWriter optim = new SafetensorsWriter()
                .metadata("steps", Integer.toString(steps))
                .metadata("param_shape", "2,3")
                .metadata("state_tensors", "state.momentum_buffer")
                .addF32("p0", ramp(6, 0.1f), 2, 3);
        for (int t = 1; t <= steps; t++) {
            optim.addF32("g" + t, ramp(6, 0.01f * t), 2, 3);
        }
        for (int t = 1; t <= steps; t++) {
            optim.addF32("p" + t, ramp(6, 0.1f - 0.001f * t), 2, 3);
        }
        optim.addF32("state.momentum_buffer", ramp(steps * 6, 0.001f), steps, 2, 3);
        optim.write(dir.resolve("optim_sgd.safetensors"));
        List<String> entries = new ArrayList<>();
        for (Path f : GoldenDir.files(dir, "")) {
            byte[] bytes = Files.readAllBytes(f);
            int tensors;
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                tensors = r.names().size();
            }
            entries.add("{\"file\": \"" + f.getFileName() + "\", \"bytes\": " + bytes.length + ", \"sha256\": \""
                    + sha256(bytes) + "\", \"tensors\": " + tensors + "}");
        }
        Files.writeString(dir.resolve("manifest.json"), "{\"set\": \"synthetic\", \"files\": ["
                + String.join(", ", entries) + "]}");
    }

    private static float[] ramp(int n, float step) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = step * i;
        }
        return out;
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
