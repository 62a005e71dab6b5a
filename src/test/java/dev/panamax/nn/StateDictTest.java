package dev.panamax.nn;

import dev.panamax.backend.Activation;
import dev.panamax.io.SafetensorsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain PyTorch state dicts: sizes from shapes, every dtype PyTorch saves, and each way a file can be wrong. */
class StateDictTest {
    @TempDir
    Path dir;

    /** A tensor as raw little-endian bytes of a dtype, for files the project's writer would not make. */
    private record Raw(String dtype, int[] shape, byte[] bytes) {
    }

    private static Raw f32(int[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new Raw("F32", shape, b.array());
    }

    private static Raw f64(int[] shape, double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return new Raw("F64", shape, b.array());
    }

    private static Raw half(String dtype, int[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(dtype.equals("F16") ? Float.floatToFloat16(v) : (short) (Float.floatToRawIntBits(v) >>> 16));
        }
        return new Raw(dtype, shape, b.array());
    }

    private static Raw i64(int[] shape, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return new Raw("I64", shape, b.array());
    }

    private static float[] ramp(int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = scale * (i - n / 2);
        }
        return out;
    }

    private Path write(Map<String, Raw> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Raw> e : tensors.entrySet()) {
            Raw t = e.getValue();
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"")
                    .append(t.dtype()).append("\",\"shape\":").append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + t.bytes().length).append("]}");
            offset += t.bytes().length;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        for (Raw t : tensors.values()) {
            out.put(t.bytes());
        }
        Path f = Files.createTempFile(dir, "model", ".safetensors");
        Files.write(f, out.array());
        return f;
    }

    /** A 5-4-3 Sequential(Linear, act, Linear) in F32, as torch names it: 0.weight, 0.bias, 2.weight, 2.bias. */
    private static Map<String, Raw> small() {
        Map<String, Raw> t = new LinkedHashMap<>();
        t.put("0.bias", f32(new int[] {4}, ramp(4, 0.1f)));
        t.put("0.weight", f32(new int[] {4, 5}, ramp(20, 0.05f)));
        t.put("2.bias", f32(new int[] {3}, ramp(3, 0.2f)));
        t.put("2.weight", f32(new int[] {3, 4}, ramp(12, 0.03f)));
        return t;
    }

    private StateDict read(Map<String, Raw> tensors) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(write(tensors))) {
            return StateDict.read(r);
        }
    }

    private String failure(Map<String, Raw> tensors) {
        return assertThrows(IOException.class, () -> read(tensors)).getMessage();
    }

    @Test
    void sizesComeFromTheShapesAndTheWeightsLandInTheirLayers() throws IOException {
        StateDict sd = read(small());
        assertArrayEquals(new int[] {5, 4, 3}, sd.sizes());
        assertEquals(List.of(new StateDict.LinearLayer(0, 5, 4), new StateDict.LinearLayer(2, 4, 3)), sd.layers());
        try (Mlp mlp = Mlp.create(sd.sizes(), Activation.RELU, 1)) {
            sd.loadInto(mlp);
            assertArrayEquals(ramp(20, 0.05f), mlp.namedParameters().get("0.weight").value().toArray());
            assertArrayEquals(ramp(3, 0.2f), mlp.namedParameters().get("2.bias").value().toArray());
        }
    }

    @Test
    void indicesNeedNotBeConsecutive() throws IOException {
        // Sequential(Linear, ReLU, Dropout, Linear): the second Linear is index 3
        Map<String, Raw> t = small();
        t.put("3.weight", t.remove("2.weight"));
        t.put("3.bias", t.remove("2.bias"));
        assertArrayEquals(new int[] {5, 4, 3}, read(t).sizes());
    }

    @Test
    void halfBfloatAndDoubleAreConvertedExactlyWhereFloatCanHoldThem() throws IOException {
        float[] w0 = ramp(20, 0.25f); // multiples of 1/4: exact in F16, BF16 and F64
        Map<String, Raw> t = small();
        for (String dtype : new String[] {"F16", "BF16", "F64"}) {
            t.put("0.weight", dtype.equals("F64") ? f64(new int[] {4, 5}, Arrays.stream(toDoubles(w0)).toArray())
                    : half(dtype, new int[] {4, 5}, w0));
            StateDict sd = read(t);
            try (Mlp mlp = Mlp.create(sd.sizes(), Activation.RELU, 1)) {
                sd.loadInto(mlp);
                assertArrayEquals(w0, mlp.namedParameters().get("0.weight").value().toArray(), dtype);
            }
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void eachWayOfBeingWrongNamesTheTensor() {
        Map<String, Raw> t = small();
        t.put("running_mean", f32(new int[] {4}, ramp(4, 1)));
        assertTrue(failure(t).contains("unexpected tensor 'running_mean'"), failure(t));

        t = small();
        t.remove("2.bias");
        assertTrue(failure(t).contains("missing tensor 2.bias"), failure(t));

        t = small();
        t.remove("0.weight");
        assertTrue(failure(t).contains("missing tensor 0.weight"), failure(t));

        t = small();
        t.put("2.weight", f32(new int[] {3, 5}, ramp(15, 0.01f)));
        assertTrue(failure(t).contains("2.weight has shape [3, 5], expected [3, 4]"), failure(t));

        t = small();
        t.put("0.bias", f32(new int[] {5}, ramp(5, 0.01f)));
        assertTrue(failure(t).contains("0.bias has shape [5], expected [4]"), failure(t));

        t = small();
        t.put("0.weight", f32(new int[] {20}, ramp(20, 0.01f)));
        assertTrue(failure(t).contains("0.weight has shape [20], expected [out_features, in_features]"), failure(t));

        t = small();
        t.put("2.bias", i64(new int[] {3}, 1, 2, 3));
        assertTrue(failure(t).contains("2.bias is I64: not a floating-point tensor"), failure(t));

        t = small();
        float[] bad = ramp(12, 0.03f);
        bad[7] = Float.NaN;
        t.put("2.weight", f32(new int[] {3, 4}, bad));
        assertTrue(failure(t).contains("2.weight holds a non-finite value (NaN) at [1, 3]"), failure(t));

        t = small();
        double[] huge = toDoubles(ramp(4, 0.1f));
        huge[2] = 1e39;
        t.put("0.bias", f64(new int[] {4}, huge));
        assertTrue(failure(t).contains("0.bias (F64) holds 1.0E39 at [2], beyond float32's range"), failure(t));

        assertTrue(failure(new LinkedHashMap<>()).contains("holds no tensors"), failure(new LinkedHashMap<>()));
    }

    @Test
    void aModelOfOtherSizesIsRefusedAndKeepsItsWeights() throws IOException {
        StateDict sd = read(small());
        try (Mlp mlp = Mlp.create(new int[] {5, 6, 3}, Activation.RELU, 1)) {
            float[] before = mlp.namedParameters().get("0.weight").value().toArray();
            IOException e = assertThrows(IOException.class, () -> sd.loadInto(mlp));
            assertTrue(e.getMessage().contains("holds a 5-4-3 model, not the 5-6-3 one"), e.getMessage());
            assertArrayEquals(before, mlp.namedParameters().get("0.weight").value().toArray());
        }
    }
}
