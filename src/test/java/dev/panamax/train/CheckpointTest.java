package dev.panamax.train;

import dev.panamax.backend.Activation;
import dev.panamax.io.SafetensorsReader;
import dev.panamax.io.SafetensorsWriter;
import dev.panamax.nn.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint holding more than the model, or of another format, is refused before anything is copied. */
class CheckpointTest {

    /** The model's own tensors plus {@code extraName} (when not null), under {@code format}. */
    private static Path write(Path dir, Mlp model, String format, String extraName) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata(Checkpoint.FORMAT_KEY, format);
        model.namedParameters().forEach((name, v) -> w.addF32(name, v.value()));
        if (extraName != null) {
            w.addF32(extraName, new float[] {1, 2, 3}, 3);
        }
        Path file = dir.resolve("c.safetensors");
        w.write(file);
        return file;
    }

    @Test
    void anUnknownTensorIsNamedAndNothingIsLoaded(@TempDir Path dir) throws IOException {
        try (Mlp saved = Mlp.create(new int[] {4, 3, 2}, Activation.RELU, 1);
             Mlp target = Mlp.create(new int[] {4, 3, 2}, Activation.RELU, 2)) {
            Path file = write(dir, saved, Checkpoint.FORMAT, "1.running_mean");
            float[] before = target.namedParameters().get("0.weight").value().toArray();
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, target, null));
            assertTrue(e.getMessage().contains("unexpected tensor 1.running_mean"), e.getMessage());
            assertArrayEquals(before, target.namedParameters().get("0.weight").value().toArray(), "nothing copied");
        }
    }

    /** Sizes claimed by the metadata are checked against the tensors before a model of those sizes is built. */
    @Test
    void metadataClaimingAnotherModelIsCaughtFromTheShapes(@TempDir Path dir) throws IOException {
        try (Mlp model = Mlp.create(new int[] {784, 16, 10}, Activation.RELU, 1)) {
            Path file = write(dir, model, Checkpoint.FORMAT, null);
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                Checkpoint.requireShapes(r, new int[] {784, 16, 10});
                IOException e = assertThrows(IOException.class, () -> Checkpoint.requireShapes(r, new int[] {784, 1_500_000, 10}));
                assertTrue(e.getMessage().contains("0.weight has shape [16, 784], the metadata's model_sizes [784, 1500000, 10]"
                        + " say [1500000, 784]"), e.getMessage());
                IOException deeper = assertThrows(IOException.class, () -> Checkpoint.requireShapes(r, new int[] {784, 16, 16, 10}));
                assertTrue(deeper.getMessage().contains("missing tensor 4.weight"), deeper.getMessage());
            }
        }
    }

    /**
     * Tensors of the claimed shapes but of 1-byte elements are refused with the shapes: the float32
     * model they would build is four times the file.
     */
    @Test
    void weightsThatAreNotFloat32AreCaughtBeforeTheModelIsBuilt(@TempDir Path dir) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        int[][] shapes = {{16, 784}, {16}, {10, 16}, {10}};
        String[] names = {"0.weight", "0.bias", "2.weight", "2.bias"};
        for (int i = 0; i < shapes.length; i++) {
            long bytes = Arrays.stream(shapes[i]).asLongStream().reduce(1, Math::multiplyExact);
            header.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":{\"dtype\":\"U8\",\"shape\":")
                    .append(Arrays.toString(shapes[i]).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + (int) offset)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json);
        Path path = dir.resolve("u8.safetensors");
        Files.write(path, file.array());
        try (SafetensorsReader r = SafetensorsReader.open(path)) {
            IOException e = assertThrows(IOException.class, () -> Checkpoint.requireShapes(r, new int[] {784, 16, 10}));
            assertTrue(e.getMessage().contains("0.weight is U8, expected F32; 0.bias is U8, expected F32"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteWeightIsDamageNotALearningRateProblem(@TempDir Path dir) throws IOException {
        try (Mlp model = Mlp.create(new int[] {4, 3, 2}, Activation.RELU, 1)) {
            model.namedParameters().get("2.weight").value().set(4, Float.POSITIVE_INFINITY);
            Path file = write(dir, model, Checkpoint.FORMAT, null);
            try (Mlp target = Mlp.create(new int[] {4, 3, 2}, Activation.RELU, 2)) {
                IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, target, null));
                assertTrue(e.getMessage().contains("2.weight holds a non-finite value (Infinity) at [1, 1]")
                        && e.getMessage().contains("damaged") && !e.getMessage().contains("learning rate"), e.getMessage());
            }
        }
    }

    @Test
    void anotherFormatIsRefused(@TempDir Path dir) throws IOException {
        try (Mlp model = Mlp.create(new int[] {4, 3, 2}, Activation.RELU, 1)) {
            Path file = write(dir, model, "panamax-checkpoint-9", null);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(file, model, null));
            assertTrue(e.getMessage().contains("format is 'panamax-checkpoint-9'"), e.getMessage());
            try (SafetensorsReader r = SafetensorsReader.open(write(dir, model, Checkpoint.FORMAT, null))) {
                assertTrue(Map.copyOf(r.metadata()).containsKey(Checkpoint.FORMAT_KEY));
            }
            Checkpoint.load(dir.resolve("c.safetensors"), model, null); // its own format loads
        }
    }
}
