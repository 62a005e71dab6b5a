package dev.panamax.io;

import java.util.Arrays;

/**
 * One validated header entry: the tensor's name, element type, shape and its byte range
 * {@code [begin, end)} relative to the start of the data region.
 *
 * @param name  the tensor's name in the header
 * @param dtype its element type
 * @param shape its dimensions (empty for a rank-0 scalar); copied in and out
 * @param begin the first byte of its data, from the start of the data region
 * @param end   one past its last byte
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {

    /** Copies the shape. */
    public TensorInfo {
        shape = shape.clone();
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the rank, 0 for a scalar
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Product of the shape (1 for a rank-0 scalar).
     *
     * @return the element count
     */
    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The size of the data.
     *
     * @return {@code end - begin}
     */
    public long byteSize() {
        return end - begin;
    }

    /**
     * The shape for messages.
     *
     * @return e.g. {@code [256, 784]}
     */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString() + " @[" + begin + ", " + end + ")";
    }
}
