package dev.panamax.io;

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
 * strings; every other member is an object with exactly {@code dtype} (a known {@link DType}),
 * {@code shape} (non-negative integers that fit in an int) and {@code data_offsets} (two integers,
 * {@code 0 <= begin <= end <= dataSize}); {@code end - begin == dtype size * product(shape)}; and the
 * tensors, ordered by offset, tile the data region exactly: no overlap, no gap, nothing after the last.
 */
public final class SafetensorsHeader {
    /** The reserved header key holding the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final Map<String, String> metadata;

    private SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {
        this.tensors = List.copyOf(tensors);
        Map<String, TensorInfo> index = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            index.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(index);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Tensors in header order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** Tensor by name, or null. */
    public TensorInfo get(String name) {
        return byName.get(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Parses and validates header bytes {@code json[0, length)} for a file whose data region
     * holds {@code dataSize} bytes. {@code file} is used in messages only.
     */
    static SafetensorsHeader parse(Path file, byte[] json, int length, long dataSize)
            throws SafetensorsFormatException {
        Object root;
        try {
            root = JsonParser.parse(json, length);
        } catch (JsonParseException e) {
            throw new SafetensorsFormatException(file, "invalid JSON header at header byte " + e.position()
                    + " (file offset " + (SafetensorsReader.PREFIX_BYTES + e.position()) + "): " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> members)) {
            throw new SafetensorsFormatException(file, "the JSON header must be an object, found " + kind(root));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<?, ?> member : members.entrySet()) {
            String name = (String) member.getKey();
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, member.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, name, member.getValue(), dataSize));
            }
        }
        checkTiling(file, tensors, dataSize);
        return new SafetensorsHeader(tensors, metadata);
    }

    private static void readMetadata(Path file, Object value, Map<String, String> out)
            throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" must be an object of strings, found "
                    + kind(value));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" entry \"" + e.getKey()
                        + "\" must be a string, found " + kind(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
    }

    private static TensorInfo readTensor(Path file, String name, Object value, long dataSize)
            throws SafetensorsFormatException {
        String where = "tensor \"" + name + "\"";
        if (!(value instanceof Map<?, ?> fields)) {
            throw new SafetensorsFormatException(file, where + " must be an object with dtype, shape and data_offsets,"
                    + " found " + kind(value));
        }
        for (Object key : fields.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafetensorsFormatException(file, where + " has unknown field \"" + key
                        + "\" (allowed: dtype, shape, data_offsets)");
            }
        }
        DType dtype = readDType(file, where, fields.get("dtype"));
        int[] shape = readShape(file, where, fields.get("shape"));
        long[] offsets = readOffsets(file, where, fields.get("data_offsets"), dataSize);

        long needed;
        try {
            long elements = 1;
            for (int d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            needed = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, where + " shape " + Arrays.toString(shape)
                    + " needs more bytes than a 64-bit size holds");
        }
        long bytes = offsets[1] - offsets[0];
        if (needed != bytes) {
            throw new SafetensorsFormatException(file, where + " data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] span " + bytes + " bytes but " + dtype + " shape " + Arrays.toString(shape) + " needs "
                    + needed + " bytes (" + dtype.byteSize() + " per element)");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType readDType(Path file, String where, Object value) throws SafetensorsFormatException {
        if (value == null) {
            throw new SafetensorsFormatException(file, where + " is missing \"dtype\"");
        }
        if (!(value instanceof String s)) {
            throw new SafetensorsFormatException(file, where + " dtype must be a string, found " + kind(value));
        }
        DType d = DType.fromHeaderName(s);
        if (d == null) {
            throw new SafetensorsFormatException(file, where + " has unknown dtype \"" + s + "\" (known: "
                    + DType.knownNames() + ")");
        }
        return d;
    }

    private static int[] readShape(Path file, String where, Object value) throws SafetensorsFormatException {
        if (value == null) {
            throw new SafetensorsFormatException(file, where + " is missing \"shape\"");
        }
        if (!(value instanceof List<?> dims)) {
            throw new SafetensorsFormatException(file, where + " shape must be an array of integers, found "
                    + kind(value));
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long n)) {
                throw new SafetensorsFormatException(file, where + " shape[" + i + "] must be an integer, found "
                        + kind(d));
            }
            if (n < 0) {
                throw new SafetensorsFormatException(file, where + " shape[" + i + "] is negative: " + n + " (shape "
                        + dims + ")");
            }
            if (n > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException(file, where + " shape[" + i + "] = " + n
                        + " exceeds the largest supported dimension " + Integer.MAX_VALUE);
            }
            shape[i] = (int) (long) n;
        }
        return shape;
    }

    private static long[] readOffsets(Path file, String where, Object value, long dataSize)
            throws SafetensorsFormatException {
        if (value == null) {
            throw new SafetensorsFormatException(file, where + " is missing \"data_offsets\"");
        }
        if (!(value instanceof List<?> list) || list.size() != 2
                || !(list.get(0) instanceof Long begin) || !(list.get(1) instanceof Long end)) {
            throw new SafetensorsFormatException(file, where + " data_offsets must be an array of two integers"
                    + " [begin, end], found " + value);
        }
        if (begin < 0 || end < begin) {
            throw new SafetensorsFormatException(file, where + " data_offsets [" + begin + ", " + end
                    + "] must satisfy 0 <= begin <= end");
        }
        if (end > dataSize) {
            throw new SafetensorsFormatException(file, where + " data_offsets [" + begin + ", " + end
                    + "] run past the end of the data region (" + dataSize + " bytes)");
        }
        return new long[] {begin, end};
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

    private static String kind(Object v) {
        if (v instanceof Map<?, ?>) {
            return "an object";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        return "the integer " + v;
    }
}
