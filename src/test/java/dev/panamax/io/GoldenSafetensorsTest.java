package dev.panamax.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads every golden file through the project's reader and checks it against the manifest and README. */
class GoldenSafetensorsTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyGoldenFileMatchesTheManifest() throws Exception {
        Path dir = GoldenDir.path();
        byte[] manifestBytes = Files.readAllBytes(dir.resolve("manifest.json"));
        Map<String, Object> manifest = (Map<String, Object>) parseManifest(manifestBytes);
        List<Map<String, Object>> files = (List<Map<String, Object>>) manifest.get("files");
        List<Path> onDisk = GoldenDir.files("");
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

    @Test
    void mlpInputsHaveTheDocumentedShapesAndLabels() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(GoldenDir.path().resolve("mlp_inputs.safetensors"))) {
            assertArrayEquals(new int[] {256, 784}, r.shape("W1"));
            assertArrayEquals(new int[] {256}, r.shape("b1"));
            assertArrayEquals(new int[] {10, 256}, r.shape("W2"));
            assertArrayEquals(new int[] {10}, r.shape("b2"));
            assertArrayEquals(new int[] {16, 784}, r.shape("X"));
            assertEquals(DType.I64, r.dtype("y"));
            long[] y = r.readLongs("y");
            float[] yF32 = r.readFloats("y_f32");
            float[] oneHot = r.readFloats("Y");
            assertEquals(16, y.length);
            for (int i = 0; i < y.length; i++) {
                assertTrue(y[i] >= 0 && y[i] <= 9, "label " + y[i]);
                assertEquals((float) y[i], yF32[i]);
                for (int c = 0; c < 10; c++) {
                    assertEquals(c == y[i] ? 1f : 0f, oneHot[i * 10 + c], "Y[" + i + "," + c + "]");
                }
            }
            for (float x : r.readFloats("X")) {
                assertTrue(x >= 0f && x < 1f, "X ~ U[0,1), got " + x);
            }
        }
    }

    @Test
    void optimizerFilesHoldTheProtocolTensors() throws IOException {
        List<Path> files = GoldenDir.files("optim_");
        float[] p0 = null;
        for (Path f : files) {
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                int steps = Integer.parseInt(r.metadata().get("steps"));
                assertEquals(20, steps, f.toString());
                assertArrayEquals(new int[] {7, 5}, r.shape("p0"), f.toString());
                for (int t = 1; t <= steps; t++) {
                    assertArrayEquals(new int[] {7, 5}, r.shape("g" + t), f + " g" + t);
                    assertArrayEquals(new int[] {7, 5}, r.shape("p" + t), f + " p" + t);
                }
                // "state_tensors" lists the state.* tensors, or says "none" (plain SGD)
                String listed = r.metadata().get("state_tensors");
                List<String> declared = listed.equals("none") ? List.of() : List.of(listed.split(","));
                List<String> present = r.names().stream().filter(n -> n.startsWith("state.")).toList();
                assertEquals(declared, present, f + " state tensors");
                for (String s : present) {
                    assertArrayEquals(new int[] {steps, 7, 5}, r.shape(s), f + " " + s);
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
        assertTrue(files.size() >= 16, "expected the 16 optimizer cases of set A, found " + files.size());
    }

    /** The manifest is plain JSON with no booleans or fractions, so the strict header parser reads it. */
    private static Object parseManifest(byte[] json) throws Exception {
        return JsonParser.parse(json, json.length);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
