package dev.panamax.io;

import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects named tensors and metadata, then writes them as one safetensors file.
 *
 * <p>Tensors are referenced, not copied, when added: their contents are read by {@link #write}.
 * Data is laid out with 8-byte dtypes first and otherwise in insertion order, so that every tensor
 * starts at an offset aligned to its element size; the header lists them in that same order. The
 * JSON header is padded with spaces so the data starts at a multiple of 8 bytes.
 *
 * <p>{@link #write} goes to a temporary file in the target's folder, forces it to disk and renames
 * it into place atomically: a failure at any point leaves an existing file untouched.
 *
 * <p>The adders check names and shapes at once and throw {@link IllegalArgumentException} for an empty or
 * repeated name, the reserved {@code __metadata__}, a negative dimension or a value count that does not
 * fit the shape. A writer is not thread-safe.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int ALIGN = 8;

    private record Entry(String name, DType dtype, int[] shape, MemorySegment nativeData, ValueLayout element) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** An empty file to fill with {@link #metadata} and tensors, then {@link #write}. */
    public SafetensorsWriter() {
    }

    /**
     * Adds a {@code __metadata__} entry (a later value for the same key replaces the earlier one).
     *
     * @param key   the key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the key or the value is null
     */
    public SafetensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata key and value must not be null (key " + key + ")");
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds every entry of {@code values} as metadata.
     *
     * @param values the entries, in the map's order
     * @return this writer
     * @throws IllegalArgumentException if a key or a value is null
     */
    public SafetensorsWriter metadata(Map<String, String> values) {
        values.forEach(this::metadata);
        return this;
    }

    /**
     * Adds an F32 tensor; its contents are read when {@link #write} runs.
     *
     * @param name   the tensor's name in the file
     * @param tensor the tensor, host-readable when {@link #write} runs; its shape is taken now
     * @return this writer
     */
    public SafetensorsWriter addF32(String name, Tensor tensor) {
        return add(name, DType.F32, tensor.shape(), tensor.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    /**
     * Adds an F32 tensor of the given shape backed by {@code values} (not copied).
     *
     * @param name   the tensor's name in the file
     * @param values the elements, row-major, read when {@link #write} runs
     * @param shape  the dimensions (none: a rank-0 scalar of one value)
     * @return this writer
     */
    public SafetensorsWriter addF32(String name, float[] values, int... shape) {
        checkCount(name, values.length, shape);
        return add(name, DType.F32, shape, MemorySegment.ofArray(values), ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    /**
     * Adds an I64 tensor of the given shape backed by {@code values} (not copied).
     *
     * @param name   the tensor's name in the file
     * @param values the elements, row-major, read when {@link #write} runs
     * @param shape  the dimensions (none: a rank-0 scalar of one value)
     * @return this writer
     */
    public SafetensorsWriter addI64(String name, long[] values, int... shape) {
        checkCount(name, values.length, shape);
        return add(name, DType.I64, shape, MemorySegment.ofArray(values), ValueLayout.JAVA_LONG_UNALIGNED);
    }

    private SafetensorsWriter add(String name, DType dtype, int[] shape, MemorySegment data, ValueLayout element) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("\"" + name + "\" is reserved for metadata and cannot name a tensor");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor \"" + name + "\" was already added");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor \"" + name + "\" has a negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        entries.put(name, new Entry(name, dtype, shape.clone(), data, element));
        return this;
    }

    private static void checkCount(String name, int count, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= Math.max(d, 0);
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor \"" + name + "\" of shape " + Arrays.toString(shape) + " needs "
                    + n + " values, got " + count);
        }
    }

    /**
     * Writes everything added so far to {@code target}, replacing it atomically.
     *
     * @param target the file; its folder must exist
     * @throws IOException if the file cannot be written; an existing file is then left untouched
     */
    public void write(Path target) throws IOException {
        List<Entry> ordered = layoutOrder();
        byte[] header = headerBytes(ordered);
        Path folder = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 Arena scratch = Arena.ofConfined()) {
                ByteBuffer prefix = ByteBuffer.allocate(SafetensorsReader.PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(0, header.length);
                writeFully(out, prefix);
                writeFully(out, ByteBuffer.wrap(header));
                MemorySegment chunk = scratch.allocate(CHUNK_BYTES, ALIGN);
                for (Entry e : ordered) {
                    writeLittleEndian(out, e, chunk);
                }
                out.force(true);
            }
            AtomicFiles.moveIntoPlace(temp, target.toAbsolutePath());
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) {
                throw AtomicFiles.failedWrite(target, io);
            }
            throw e;
        }
    }

    /** 8-byte dtypes first (stable), so each tensor's offset is a multiple of its element size. */
    private List<Entry> layoutOrder() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.dtype().byteSize() == 8) {
                out.add(e);
            }
        }
        for (Entry e : entries.values()) {
            if (e.dtype().byteSize() != 8) {
                out.add(e);
            }
        }
        return out;
    }

    private byte[] headerBytes(List<Entry> ordered) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            appendString(json, SafetensorsHeader.METADATA_KEY).append(":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                appendString(json, m.getKey()).append(':');
                appendString(json, m.getValue());
            }
            json.append('}');
        }
        long offset = 0;
        for (Entry e : ordered) {
            if (json.length() > 1) {
                json.append(',');
            }
            long bytes = e.nativeData().byteSize();
            appendString(json, e.name()).append(":{\"dtype\":\"").append(e.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] utf8;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(json));
            utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a tensor name or metadata string is not valid Unicode"
                    + " (unpaired surrogate): " + e.getMessage(), e);
        }
        int padded = (utf8.length + ALIGN - 1) / ALIGN * ALIGN;
        byte[] out = Arrays.copyOf(utf8, padded);
        Arrays.fill(out, utf8.length, padded, (byte) ' ');
        return out;
    }

    private static StringBuilder appendString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }

    private static void writeLittleEndian(FileChannel out, Entry e, MemorySegment chunk) throws IOException {
        ValueLayout little = e.element().withOrder(ByteOrder.LITTLE_ENDIAN);
        long elementBytes = e.element().byteSize();
        long total = e.nativeData().byteSize() / elementBytes;
        long perChunk = chunk.byteSize() / elementBytes;
        for (long done = 0; done < total; done += perChunk) {
            long n = Math.min(perChunk, total - done);
            // copy() swaps bytes when the orders differ: on little-endian hosts it is a plain copy
            MemorySegment.copy(e.nativeData(), e.element(), done * elementBytes, chunk, little, 0, n);
            writeFully(out, chunk.asSlice(0, n * elementBytes).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
