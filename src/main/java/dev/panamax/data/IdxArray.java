package dev.panamax.data;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An n-dimensional array as stored in an IDX file: element type, dimensions and the raw
 * big-endian payload, row-major. Immutable from the outside (inputs and outputs are copied,
 * except through the package-private {@link #payload()} used by the reader, writer and loaders).
 */
public final class IdxArray {
    /** Largest payload held in one Java array. */
    public static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;

    private final String source;
    private final IdxType type;
    private final int[] dims;
    private final byte[] payload;
    private final ByteBuffer view;

    IdxArray(String source, IdxType type, int[] dims, byte[] payload) {
        this.source = source;
        this.type = type;
        this.dims = dims;
        this.payload = payload;
        this.view = ByteBuffer.wrap(payload); // big-endian is ByteBuffer's default, as IDX requires
    }

    /**
     * Wraps a copy of a big-endian payload; its length must be count(dims) * type.byteSize().
     *
     * @param type             the element type
     * @param dims             the dimensions, 1 to 255 of them, none negative; copied
     * @param bigEndianPayload the elements, row-major, big-endian; copied
     * @return the array, with source {@code "<memory>"}
     * @throws IllegalArgumentException if the dimensions are invalid, exceed {@link #MAX_PAYLOAD_BYTES}, or
     *         do not match the payload's length
     */
    public static IdxArray of(IdxType type, int[] dims, byte[] bigEndianPayload) {
        long bytes = payloadBytes(type, dims);
        if (bigEndianPayload.length != bytes) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " of type " + type.describe()
                    + " need " + bytes + " payload bytes, got " + bigEndianPayload.length);
        }
        return new IdxArray("<memory>", type, dims.clone(), bigEndianPayload.clone());
    }

    /**
     * Builds an array of {@code type} from values; integer types reject values that are not
     * whole numbers in the type's range (no silent wrapping), float narrows by rounding.
     *
     * @param type   the element type
     * @param dims   the dimensions, 1 to 255 of them, none negative; copied
     * @param values the elements, row-major, one per element of {@code dims}
     * @return the array, with source {@code "<memory>"}
     * @throws IllegalArgumentException if the dimensions are invalid, the value count does not match, or a
     *         value does not fit an integer type
     */
    public static IdxArray fromValues(IdxType type, int[] dims, double[] values) {
        long bytes = payloadBytes(type, dims);
        long count = bytes / type.byteSize();
        if (values.length != count) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + count
                    + " values, got " + values.length);
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes);
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            switch (type) {
                case UNSIGNED_BYTE -> out.put((byte) checkedInteger(v, 0, 255, i));
                case SIGNED_BYTE -> out.put((byte) checkedInteger(v, Byte.MIN_VALUE, Byte.MAX_VALUE, i));
                case SHORT -> out.putShort((short) checkedInteger(v, Short.MIN_VALUE, Short.MAX_VALUE, i));
                case INT -> out.putInt((int) checkedInteger(v, Integer.MIN_VALUE, Integer.MAX_VALUE, i));
                case FLOAT -> out.putFloat((float) v);
                case DOUBLE -> out.putDouble(v);
            }
        }
        return new IdxArray("<memory>", type, dims.clone(), out.array());
    }

    private static long checkedInteger(double v, long min, long max, int index) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw new IllegalArgumentException("value " + v + " at index " + index
                    + " is not an integer in [" + min + ", " + max + "]");
        }
        return (long) v;
    }

    /** Payload size for dims of a type; rejects negative dims and sizes past {@link #MAX_PAYLOAD_BYTES}. */
    static long payloadBytes(IdxType type, int[] dims) {
        if (dims.length < 1 || dims.length > 255) {
            throw new IllegalArgumentException("an IDX array has 1 to 255 dimensions, got " + dims.length);
        }
        long bytes = type.byteSize();
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            bytes *= d;
            if (bytes > MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " exceed "
                        + MAX_PAYLOAD_BYTES + " bytes");
            }
        }
        return bytes;
    }

    /**
     * Where the array was read from (a path), or "&lt;memory&gt;".
     *
     * @return the source, for messages
     */
    public String source() {
        return source;
    }

    /**
     * The element type.
     *
     * @return the type of the magic number
     */
    public IdxType type() {
        return type;
    }

    /**
     * The number of dimensions.
     *
     * @return the rank, 1 to 255
     */
    public int rank() {
        return dims.length;
    }

    /**
     * One dimension.
     *
     * @param axis the dimension's index, 0 first
     * @return its extent
     * @throws ArrayIndexOutOfBoundsException if {@code axis} is not in [0, rank)
     */
    public int dim(int axis) {
        return dims[axis];
    }

    /**
     * The dimensions.
     *
     * @return a copy
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Number of elements: the product of the dimensions.
     *
     * @return the element count
     */
    public int count() {
        return payload.length / type.byteSize();
    }

    /**
     * Element {@code index} (row-major) as a double; exact for every IDX type.
     *
     * @param index the flat index, in [0, count)
     * @return the element's value
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public double get(int index) {
        return switch (type) {
            case UNSIGNED_BYTE -> payload[index] & 0xFF;
            case SIGNED_BYTE -> payload[index];
            case SHORT -> view.getShort(index * 2);
            case INT -> view.getInt(index * 4);
            case FLOAT -> view.getFloat(index * 4);
            case DOUBLE -> view.getDouble(index * 8);
        };
    }

    /**
     * Element {@code index} of an integer type.
     *
     * @param index the flat index, in [0, count)
     * @return the element's value
     * @throws IllegalStateException if the type is float or double
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public int getInt(int index) {
        return switch (type) {
            case UNSIGNED_BYTE -> payload[index] & 0xFF;
            case SIGNED_BYTE -> payload[index];
            case SHORT -> view.getShort(index * 2);
            case INT -> view.getInt(index * 4);
            case FLOAT, DOUBLE -> throw new IllegalStateException(source + ": elements are " + type.describe()
                    + ", not integers");
        };
    }

    /**
     * A copy of the big-endian payload.
     *
     * @return the elements as stored in the file, row-major
     */
    public byte[] toByteArray() {
        return payload.clone();
    }

    /** The payload itself, not copied: callers in this package only read it. */
    byte[] payload() {
        return payload;
    }

    /** The same contents labelled with another source name. */
    IdxArray withSource(String newSource) {
        return new IdxArray(newSource, type, dims, payload);
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dims) + " " + type.describe() + " from " + source;
    }
}
