package dev.panamax.io;

import dev.panamax.io.JsonParser.Kind;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file: tensor entries in header order and the
 * {@code __metadata__} map. Validation is strict; each violation is a
 * {@link SafetensorsFormatException} that names the tensor and field at fault.
 *
 * <p>Checks: the header is a JSON object; {@code __metadata__}, when present, maps strings to
 * strings (at most {@value #MAX_METADATA_ENTRIES} of them); every other member (at most
 * {@value #MAX_TENSORS} of them) is an object with
 * exactly {@code dtype} (a known {@link DType}), {@code shape} (at most {@value #MAX_RANK}
 * non-negative integers that fit in an int) and {@code data_offsets} (two integers,
 * {@code 0 <= begin <= end <= dataSize}); {@code end - begin == dtype size * product(shape)}; and the
 * tensors, ordered by offset, tile the data region exactly: no overlap, no gap, nothing after the last.
 * Invalid JSON anywhere is reported first; after that, the first violation in header order.
 */
public final class SafetensorsHeader {
    /** The reserved header key holding the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /**
     * The most {@code __metadata__} entries a header may hold. The format sets no limit, but files hold
     * a few dozen; each entry costs Java about 100 bytes however short its text, so 100 MB of one-letter
     * entries (12 million) would take well over a gigabyte of heap.
     */
    public static final int MAX_METADATA_ENTRIES = 65_536;
    /**
     * The most tensors a header may hold. The format sets no limit; the largest public checkpoints hold a
     * few thousand. Each entry costs Java about 170 bytes (its TensorInfo, name and map entry) for about
     * 65 bytes of header, so 100 MB of zero-size tensors (1.5 million) took over a gigabyte.
     */
    public static final int MAX_TENSORS = 65_536;
    /**
     * The most dimensions a tensor may have. The format sets no limit; numpy's is 64. Without one, a
     * 100 MB header could hold a valid zero-size tensor of 50 million dimensions, 200 MB as an int[].
     */
    public static final int MAX_RANK = 1024;
    /** Dimensions a message lists before it shortens a shape. */
    private static final int MESSAGE_DIMS = 8;

    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final Map<String, String> metadata;

    private SafetensorsHeader(List<TensorInfo> tensors, Map<String, TensorInfo> byName, Map<String, String> metadata) {
        this.tensors = tensors;
        this.byName = Collections.unmodifiableMap(byName);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Tensors in header order.
     *
     * @return the entries, unmodifiable
     */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /**
     * Tensor by name, or null.
     *
     * @param name the tensor's name
     * @return its entry, or null when the header has none of that name
     */
    public TensorInfo get(String name) {
        return byName.get(name);
    }

    /**
     * The {@code __metadata__} map, in header order.
     *
     * @return the metadata, unmodifiable; empty when the header has none
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Parses and validates header bytes {@code json[0, length)} for a file whose data region
     * holds {@code dataSize} bytes. {@code file} is used in messages only.
     *
     * <p>The JSON is checked whole first, so that a syntax error is reported as such wherever it is;
     * then it is read as the format prescribes, keeping only the tensor entries and the metadata, so the
     * first value that breaks the format ends the reading before anything after it is held in memory.
     */
    static SafetensorsHeader parse(Path file, byte[] json, int length, long dataSize)
            throws SafetensorsFormatException {
        try {
            JsonParser.validate(json, length);
            return read(file, new JsonParser(json, length), dataSize);
        } catch (JsonParseException e) {
            throw new SafetensorsFormatException(file, "invalid JSON header at header byte " + e.position()
                    + " (file offset " + (SafetensorsReader.PREFIX_BYTES + e.position()) + "): " + e.getMessage());
        }
    }

    private static SafetensorsHeader read(Path file, JsonParser json, long dataSize)
            throws JsonParseException, SafetensorsFormatException {
        if (json.peek() != Kind.OBJECT) {
            throw new SafetensorsFormatException(file, "the JSON header must be an object, found " + describe(json));
        }
        json.beginObject();
        Map<String, String> metadata = null;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (String name; (name = json.nextKey()) != null; ) {
            if (tensors.containsKey(name) || (metadata != null && name.equals(METADATA_KEY))) {
                throw json.duplicateKey(name);
            }
            if (name.equals(METADATA_KEY)) {
                metadata = readMetadata(file, json);
            } else {
                if (tensors.size() == MAX_TENSORS) {
                    throw new SafetensorsFormatException(file, "the header holds more than " + MAX_TENSORS
                            + " tensors, the most this reader takes (tensor \"" + name + "\")");
                }
                tensors.put(name, readTensor(file, name, json, dataSize));
            }
        }
        json.end();
        List<TensorInfo> list = List.copyOf(tensors.values());
        checkTiling(file, list, dataSize);
        return new SafetensorsHeader(list, tensors, metadata != null ? metadata : new LinkedHashMap<>());
    }

    private static Map<String, String> readMetadata(Path file, JsonParser json)
            throws JsonParseException, SafetensorsFormatException {
        if (json.peek() != Kind.OBJECT) {
            throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" must be an object of strings, found "
                    + describe(json));
        }
        json.beginObject();
        Map<String, String> out = new LinkedHashMap<>();
        for (String key; (key = json.nextKey()) != null; ) {
            if (out.containsKey(key)) {
                throw json.duplicateKey(key);
            }
            if (out.size() == MAX_METADATA_ENTRIES) {
                throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" holds more than "
                        + MAX_METADATA_ENTRIES + " entries, the most this reader takes (entry \"" + key + "\")");
            }
            if (json.peek() != Kind.STRING) {
                throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" entry \"" + key
                        + "\" must be a string, found " + describe(json));
            }
            out.put(key, json.string());
        }
        return out;
    }

    private static TensorInfo readTensor(Path file, String name, JsonParser json, long dataSize)
            throws JsonParseException, SafetensorsFormatException {
        if (json.peek() != Kind.OBJECT) {
            throw tensorProblem(file, name, "must be an object with dtype, shape and data_offsets,"
                    + " found " + describe(json));
        }
        json.beginObject();
        DType dtype = null;
        int[] shape = null;
        long[] offsets = null;
        for (String field; (field = json.nextKey()) != null; ) {
            boolean repeated = switch (field) {
                case "dtype" -> dtype != null;
                case "shape" -> shape != null;
                case "data_offsets" -> offsets != null;
                default -> throw tensorProblem(file, name, "has unknown field \"" + field
                        + "\" (allowed: dtype, shape, data_offsets)");
            };
            if (repeated) {
                throw json.duplicateKey(field);
            }
            switch (field) {
                case "dtype" -> dtype = readDType(file, name, json);
                case "shape" -> shape = readShape(file, name, json);
                default -> offsets = readOffsets(file, name, json, dataSize);
            }
        }
        if (dtype == null) {
            throw tensorProblem(file, name, "is missing \"dtype\"");
        }
        if (shape == null) {
            throw tensorProblem(file, name, "is missing \"shape\"");
        }
        if (offsets == null) {
            throw tensorProblem(file, name, "is missing \"data_offsets\"");
        }

        long needed;
        try {
            long elements = 1;
            for (int d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            needed = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw tensorProblem(file, name, "shape " + shapeText(shape)
                    + " needs more bytes than a 64-bit size holds");
        }
        long bytes = offsets[1] - offsets[0];
        if (needed != bytes) {
            throw tensorProblem(file, name, "data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] span " + bytes + " bytes but " + dtype + " shape " + shapeText(shape) + " needs "
                    + needed + " bytes (" + dtype.byteSize() + " per element)");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType readDType(Path file, String name, JsonParser json)
            throws JsonParseException, SafetensorsFormatException {
        if (json.peek() != Kind.STRING) {
            throw tensorProblem(file, name, "dtype must be a string, found " + describe(json));
        }
        String s = json.string();
        DType d = DType.fromHeaderName(s);
        if (d == null) {
            throw tensorProblem(file, name, "has unknown dtype \"" + s + "\" (known: "
                    + DType.knownNames() + ")");
        }
        return d;
    }

    private static int[] readShape(Path file, String name, JsonParser json)
            throws JsonParseException, SafetensorsFormatException {
        if (json.peek() != Kind.ARRAY) {
            throw tensorProblem(file, name, "shape must be an array of integers, found "
                    + describe(json));
        }
        json.beginArray();
        int[] shape = new int[4];
        int rank = 0;
        while (json.hasNext()) {
            if (json.peek() != Kind.INTEGER) {
                throw tensorProblem(file, name, "shape[" + rank + "] must be an integer, found "
                        + describe(json));
            }
            long n = json.integer();
            if (n < 0) {
                throw tensorProblem(file, name, "shape[" + rank + "] is negative: " + n);
            }
            if (n > Integer.MAX_VALUE) {
                throw tensorProblem(file, name, "shape[" + rank + "] = " + n
                        + " exceeds the largest supported dimension " + Integer.MAX_VALUE);
            }
            if (rank == MAX_RANK) {
                throw tensorProblem(file, name, "shape has more than " + MAX_RANK
                        + " dimensions, the most this reader takes");
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, 2 * rank);
            }
            shape[rank++] = (int) n;
        }
        return Arrays.copyOf(shape, rank);
    }

    private static long[] readOffsets(Path file, String name, JsonParser json, long dataSize)
            throws JsonParseException, SafetensorsFormatException {
        String expected = "data_offsets must be an array of two integers [begin, end], found ";
        if (json.peek() != Kind.ARRAY) {
            throw tensorProblem(file, name, expected + describe(json));
        }
        json.beginArray();
        long[] offsets = new long[2];
        int count = 0;
        while (json.hasNext()) {
            if (count == 2) {
                throw tensorProblem(file, name, expected + "more than two values");
            }
            if (json.peek() != Kind.INTEGER) {
                throw tensorProblem(file, name, expected + describe(json) + " at index " + count);
            }
            offsets[count++] = json.integer();
        }
        if (count < 2) {
            throw tensorProblem(file, name, expected + (count == 0 ? "[]" : "[" + offsets[0] + "]"));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw tensorProblem(file, name, "data_offsets [" + begin + ", " + end
                    + "] must satisfy 0 <= begin <= end");
        }
        if (end > dataSize) {
            throw tensorProblem(file, name, "data_offsets [" + begin + ", " + end
                    + "] run past the end of the data region (" + dataSize + " bytes)");
        }
        return offsets;
    }

    /** The tensors sorted by offset must cover [0, dataSize) back to back. */
    private static void checkTiling(Path file, List<TensorInfo> tensors, long dataSize)
            throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new SafetensorsFormatException(file, "tensor \"" + t.name() + "\" data_offsets [" + t.begin()
                        + ", " + t.end() + "] overlap tensor \"" + previous.name() + "\" [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (t.begin() > covered) {
                throw new SafetensorsFormatException(file, "gap of " + (t.begin() - covered) + " bytes in the data"
                        + " region at data offset " + covered + " (before tensor \"" + t.name() + "\" at "
                        + t.begin() + (previous == null ? "" : ", after tensor \"" + previous.name() + "\"") + ")");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataSize) {
            throw new SafetensorsFormatException(file, "file length does not match the header: the tensors end at data"
                    + " offset " + covered + " but the data region holds " + dataSize + " bytes ("
                    + (dataSize - covered) + " trailing bytes after "
                    + (previous == null ? "the header" : "tensor \"" + previous.name() + "\"") + ")");
        }
    }

    /** A problem of tensor {@code name}'s entry (the message is built only when there is one). */
    private static SafetensorsFormatException tensorProblem(Path file, String name, String problem) {
        return new SafetensorsFormatException(file, "tensor \"" + name + "\" " + problem);
    }

    /**
     * The next value in words, for a message about a value of the wrong kind: a string or an integer is
     * read and quoted, an object or an array is not read (it may be the rest of the header).
     */
    private static String describe(JsonParser json) throws JsonParseException {
        return switch (json.peek()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "the string \"" + json.string() + "\"";
            case INTEGER -> "the integer " + json.integer();
        };
    }

    /** A shape for a message: a shape of thousands of dimensions is shortened to its first ones and its rank. */
    private static String shapeText(int[] shape) {
        if (shape.length <= MESSAGE_DIMS) {
            return Arrays.toString(shape);
        }
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < MESSAGE_DIMS; i++) {
            text.append(shape[i]).append(", ");
        }
        return text.append("... (").append(shape.length).append(" dimensions)]").toString();
    }
}
