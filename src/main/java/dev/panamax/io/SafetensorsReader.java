package dev.panamax.io;

import dev.panamax.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON, then the tensors' little-endian bytes back to back.
 *
 * <p>The file is memory-mapped read-only into an {@link Arena} this reader owns, and the whole header
 * is validated on {@link #open} (see {@link SafetensorsHeader} for the rules), so a reader that opened
 * holds a well-formed file. Tensor data is copied out on request, converted from little-endian to
 * native order; nothing handed out refers to the mapping, so closing the reader invalidates only
 * {@link #rawBytes}.
 *
 * <p>The mapping's arena is shared, so threads may read one reader at once; {@link #close()} must wait
 * until they are done. A name the file does not hold, or a tensor of another dtype than a read asks for,
 * is an {@link IllegalArgumentException} that names the file and the tensor.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** The header-length prefix. */
    static final int PREFIX_BYTES = 8;
    /** Headers larger than this are refused before anything is allocated (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;

    private SafetensorsReader(Path file, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.header = header;
    }

    /**
     * Opens, maps and validates {@code file}; a malformed file throws {@link SafetensorsFormatException}.
     *
     * @param file the safetensors file
     * @return the open reader, owned by the caller (close it to unmap the file)
     * @throws SafetensorsFormatException if the file is a folder, is too short, or its header breaks the
     *         format or the limits ({@link #MAX_HEADER_BYTES}, {@link SafetensorsHeader})
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if the file cannot be read or mapped
     */
    public static SafetensorsReader open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new SafetensorsFormatException(file, "is a folder, not a safetensors file");
        }
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such safetensors file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < PREFIX_BYTES) {
                throw new SafetensorsFormatException(file, "file is " + fileSize + " bytes, shorter than the "
                        + PREFIX_BYTES + "-byte header length prefix");
            }
            ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (prefix.hasRemaining()) {
                if (channel.read(prefix, prefix.position()) < 0) {
                    throw new SafetensorsFormatException(file, "file ended while reading the header length");
                }
            }
            long headerSize = prefix.getLong(0);
            if (headerSize < 0 || headerSize > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerSize)
                        + " (bytes 0-7) exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (PREFIX_BYTES + headerSize > fileSize) {
                throw new SafetensorsFormatException(file, "header length " + headerSize + " (bytes 0-7) runs past the"
                        + " end of the file: 8 + " + headerSize + " > " + fileSize + " bytes");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
            byte[] json = mapped.asSlice(PREFIX_BYTES, headerSize).toArray(ValueLayout.JAVA_BYTE);
            long dataSize = fileSize - PREFIX_BYTES - headerSize;
            SafetensorsHeader header = SafetensorsHeader.parse(file, json, json.length, dataSize);
            return new SafetensorsReader(file, arena, mapped.asSlice(PREFIX_BYTES + headerSize).asReadOnly(), header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The file read.
     *
     * @return the path given to {@link #open}
     */
    public Path file() {
        return file;
    }

    /**
     * Tensor names in header order.
     *
     * @return the names
     */
    public List<String> names() {
        return header.tensors().stream().map(TensorInfo::name).toList();
    }

    /**
     * Every tensor entry in header order.
     *
     * @return the entries, unmodifiable
     */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    /**
     * Whether the file holds a tensor of that name.
     *
     * @param name the tensor's name
     * @return true when it does
     */
    public boolean contains(String name) {
        return header.get(name) != null;
    }

    /**
     * The {@code __metadata__} map (empty when absent), in header order.
     *
     * @return the metadata, unmodifiable
     */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * The entry for {@code name}; an unknown name throws, listing the names the file has.
     *
     * @param name the tensor's name
     * @return its header entry
     * @throws IllegalArgumentException if the file has no tensor of that name
     */
    public TensorInfo info(String name) {
        TensorInfo t = header.get(name);
        if (t == null) {
            List<String> names = names();
            String listed = names.size() <= 40 ? String.join(", ", names)
                    : names.stream().limit(40).collect(Collectors.joining(", ")) + ", ... (" + names.size() + " in all)";
            throw new IllegalArgumentException(file + ": no tensor named \"" + name + "\" (tensors: " + listed + ")");
        }
        return t;
    }

    /**
     * A tensor's element type.
     *
     * @param name the tensor's name
     * @return its dtype
     * @throws IllegalArgumentException if the file has no tensor of that name
     */
    public DType dtype(String name) {
        return info(name).dtype();
    }

    /**
     * A tensor's dimensions.
     *
     * @param name the tensor's name
     * @return a copy of its shape (empty for a scalar)
     * @throws IllegalArgumentException if the file has no tensor of that name
     */
    public int[] shape(String name) {
        return info(name).shape();
    }

    /**
     * The tensor's bytes as stored (little-endian), a read-only view valid until {@link #close()}.
     *
     * @param name the tensor's name
     * @return a read-only slice of the mapping
     * @throws IllegalArgumentException if the file has no tensor of that name
     */
    public MemorySegment rawBytes(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.begin(), t.byteSize());
    }

    /**
     * Copies an F32 tensor into a new {@link Tensor} owned by {@code owner}, in native byte order.
     *
     * @param name  the tensor's name
     * @param owner the arena that owns the copy (it outlives this reader)
     * @return the copy, in host memory
     * @throws IllegalArgumentException if there is no such tensor, it is not F32, or it is a rank-0 scalar
     */
    public Tensor readF32(String name, Arena owner) {
        TensorInfo t = require(name, DType.F32);
        if (t.rank() == 0) {
            throw new IllegalArgumentException(file + ": tensor \"" + name + "\" is a rank-0 scalar, which a Tensor"
                    + " cannot hold (Tensor needs at least one dimension); use readFloats");
        }
        Tensor out = Tensor.allocate(owner, t.shape());
        copyF32(t, out.segment());
        return out;
    }

    /**
     * Copies an F32 tensor into {@code target}, which must have the same shape (for restoring state in place).
     *
     * @param name   the tensor's name
     * @param target a host tensor of the same shape (a scalar goes into any one-element tensor)
     * @throws IllegalArgumentException if there is no such tensor, it is not F32, or the shapes differ
     */
    public void readF32Into(String name, Tensor target) {
        TensorInfo t = require(name, DType.F32);
        if (t.elementCount() != target.size() || (t.rank() != 0 && !java.util.Arrays.equals(t.shape(), target.shape()))) {
            throw new IllegalArgumentException(file + ": tensor \"" + name + "\" has shape " + t.shapeString()
                    + ", the target has " + target.shapeString());
        }
        copyF32(t, target.segment());
    }

    /**
     * Copies an F32 tensor into a new array.
     *
     * @param name the tensor's name
     * @return its elements, row-major, in native order
     * @throws IllegalArgumentException if there is no such tensor or it is not F32
     * @throws ArithmeticException if it holds more than {@code Integer.MAX_VALUE} elements
     */
    public float[] readFloats(String name) {
        TensorInfo t = require(name, DType.F32);
        float[] out = new float[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(data, F32_LE, t.begin(), out, 0, out.length);
        return out;
    }

    /**
     * Copies an I64 tensor into a new array.
     *
     * @param name the tensor's name
     * @return its elements, row-major, in native order
     * @throws IllegalArgumentException if there is no such tensor or it is not I64
     * @throws ArithmeticException if it holds more than {@code Integer.MAX_VALUE} elements
     */
    public long[] readLongs(String name) {
        TensorInfo t = require(name, DType.I64);
        long[] out = new long[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(data, I64_LE, t.begin(), out, 0, out.length);
        return out;
    }

    private void copyF32(TensorInfo t, MemorySegment target) {
        // copy() swaps bytes when the two layouts' orders differ: a plain copy on little-endian hosts
        MemorySegment.copy(data, F32_LE, t.begin(), target, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, t.elementCount());
    }

    private TensorInfo require(String name, DType expected) {
        TensorInfo t = info(name);
        if (t.dtype() != expected) {
            throw new IllegalArgumentException(file + ": tensor \"" + name + "\" is " + t.dtype() + ", not " + expected);
        }
        return t;
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
