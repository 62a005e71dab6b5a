package dev.panamax.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order, stored off-heap.
 *
 * <p>Storage is a {@link MemorySegment} aligned to {@value #ALIGNMENT} bytes whose lifetime is that
 * of the {@link Arena} it was allocated in: the arena is the owner. Once the owner is closed, any
 * access (including passing the tensor to a native library) throws {@link IllegalStateException}
 * from the FFM runtime rather than crashing the JVM.
 *
 * <p>Views ({@link #rows(int, int)}, {@link #reshape(int...)}) share storage and never copy.
 * Every view is contiguous, so a tensor is always {@code segment()} plus {@code shape()}.
 *
 * <p>Element accessors index the storage directly: an index outside it throws
 * {@link IndexOutOfBoundsException}, and (row, col) accessors do not check the column against
 * {@link #cols()}. A tensor has no lock of its own: which threads may touch it is decided by its
 * arena (a confined arena admits its owner thread only), and concurrent writes to one element race.
 */
public final class Tensor {
    /** Cache-line alignment; also the widest vector (AVX-512) so aligned loads never split a line. */
    public static final long ALIGNMENT = 64;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    private final MemorySegment data;
    private final int[] shape;
    private final long size;

    private Tensor(MemorySegment data, int[] shape, long size) {
        this.data = data;
        this.shape = shape;
        this.size = size;
    }

    /**
     * Allocates a zero-filled tensor owned by {@code owner}.
     *
     * @param owner the arena whose closing frees the storage
     * @param shape the dimensions: at least one, none negative (0 gives an empty tensor)
     * @return the new tensor, aligned to {@value #ALIGNMENT} bytes
     * @throws IllegalArgumentException if the shape has no dimension or a negative one
     * @throws ArithmeticException if the element count overflows a long
     */
    public static Tensor allocate(Arena owner, int... shape) {
        int[] s = checkedShape(shape);
        long n = elementCount(s);
        MemorySegment seg = owner.allocate(Math.max(1, n) * Float.BYTES, ALIGNMENT);
        return new Tensor(seg.asSlice(0, n * Float.BYTES), s, n);
    }

    /**
     * Allocates a tensor owned by {@code owner} and fills it with a copy of {@code values}.
     *
     * @param owner  the arena whose closing frees the storage
     * @param values the elements in row-major order; copied, so the array stays the caller's
     * @param shape  the dimensions: at least one, none negative
     * @return the new tensor
     * @throws IllegalArgumentException if the shape is invalid or {@code values} does not hold exactly
     *         {@code product(shape)} floats
     */
    public static Tensor of(Arena owner, float[] values, int... shape) {
        Tensor t = allocate(owner, shape);
        if (values.length != t.size) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs "
                    + t.size + " values, got " + values.length);
        }
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    /**
     * Wraps an existing segment (for example one filled by a file reader) without copying.
     * The segment must hold exactly {@code product(shape)} floats. The tensor's lifetime is the segment's:
     * it belongs to whoever owns the segment's arena.
     *
     * @param segment the storage, in native byte order; a heap segment works for host-side code
     * @param shape   the dimensions: at least one, none negative
     * @return a tensor over {@code segment}, sharing it
     * @throws IllegalArgumentException if the shape is invalid or the segment's size is not
     *         {@code product(shape) * 4} bytes
     */
    public static Tensor wrap(MemorySegment segment, int... shape) {
        int[] s = checkedShape(shape);
        long n = elementCount(s);
        if (segment.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes cannot hold shape "
                    + Arrays.toString(s) + " (" + n * Float.BYTES + " bytes needed)");
        }
        return new Tensor(segment, s, n);
    }

    /**
     * The element count of {@code shape}, checked as {@link #allocate} checks it (at least one
     * dimension, none negative, no overflow): for allocators that get memory elsewhere and then {@link #wrap} it.
     *
     * @param shape the dimensions
     * @return {@code product(shape)}
     * @throws IllegalArgumentException if the shape has no dimension or a negative one
     * @throws ArithmeticException if the element count overflows a long
     */
    public static long sizeOf(int... shape) {
        return elementCount(checkedShape(shape));
    }

    private static int[] checkedShape(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a tensor needs at least one dimension");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The storage: exactly {@link #size()} floats, native byte order.
     *
     * @return the segment, shared with this tensor (and with every view of the same storage)
     */
    public MemorySegment segment() {
        return data;
    }

    /**
     * The number of dimensions.
     *
     * @return the rank, at least 1
     */
    public int rank() {
        return shape.length;
    }

    /**
     * One dimension of the shape.
     *
     * @param axis the dimension's index, 0 first
     * @return the extent along {@code axis}
     * @throws IndexOutOfBoundsException if {@code axis} is not in [0, rank)
     */
    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " out of range for shape " + shapeString());
        }
        return shape[axis];
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The element count.
     *
     * @return the product of the dimensions
     */
    public long size() {
        return size;
    }

    /**
     * Rows of the tensor seen as a matrix: every dimension but the last multiplied together.
     *
     * @return the row count; 1 for a rank-1 tensor
     */
    public int rows() {
        return shape.length == 1 ? 1 : (int) (size / Math.max(1, shape[shape.length - 1]));
    }

    /**
     * Columns of the tensor seen as a matrix: the last dimension.
     *
     * @return the last dimension
     */
    public int cols() {
        return shape[shape.length - 1];
    }

    /**
     * Whether two tensors have the same dimensions (not merely the same element count).
     *
     * @param other the tensor compared
     * @return true when the shapes are equal
     */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /**
     * The shape for messages.
     *
     * @return the dimensions as {@code [2, 3]}
     */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /**
     * One element by flat (row-major) index.
     *
     * @param index the flat index, in [0, size)
     * @return the element
     */
    public float get(long index) {
        return data.getAtIndex(F32, index);
    }

    /**
     * Writes one element by flat (row-major) index.
     *
     * @param index the flat index, in [0, size)
     * @param value the new value
     */
    public void set(long index, float value) {
        data.setAtIndex(F32, index, value);
    }

    /**
     * The flat index of the first NaN or infinite element, or -1 when every element is finite.
     *
     * @return the index, or -1
     */
    public long firstNonFinite() {
        for (long i = 0; i < size; i++) {
            if (!Float.isFinite(data.getAtIndex(F32, i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The element at flat index {@code flat} written as its index per dimension, e.g. "[3, 17]".
     *
     * @param flat a flat index into this tensor
     * @return the index per dimension, for messages
     */
    public String indexString(long flat) {
        return indexString(shape, flat);
    }

    /**
     * Flat index {@code flat} of a row-major array of {@code shape} written per dimension, e.g. "[3, 17]".
     *
     * @param shape the array's dimensions, none 0
     * @param flat  a flat index into it
     * @return the index per dimension, for messages
     */
    public static String indexString(int[] shape, long flat) {
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(index);
    }

    /**
     * Element (row, col) of the tensor seen as a matrix ({@code rows() x cols()}).
     *
     * @param row the row
     * @param col the column, in [0, cols)
     * @return the element at flat index {@code row * cols() + col}
     */
    public float get(int row, int col) {
        return data.getAtIndex(F32, (long) row * cols() + col);
    }

    /**
     * Writes element (row, col) of the tensor seen as a matrix.
     *
     * @param row   the row
     * @param col   the column, in [0, cols)
     * @param value the new value
     */
    public void set(int row, int col, float value) {
        data.setAtIndex(F32, (long) row * cols() + col, value);
    }

    /**
     * The column of the largest value in row {@code row} of the matrix view, as torch.argmax picks it:
     * ties go to the first, and a NaN counts as the largest (the first NaN wins). Used for accuracy.
     *
     * @param row a row of the matrix view; the tensor needs at least one column
     * @return the column index of the row's largest value
     */
    public int argmaxOfRow(int row) {
        int cols = cols();
        long base = (long) row * cols;
        int best = 0;
        float bestValue = data.getAtIndex(F32, base);
        for (int j = 1; j < cols; j++) {
            float v = data.getAtIndex(F32, base + j);
            if (v > bestValue || (v != v && bestValue == bestValue)) {
                bestValue = v;
                best = j;
            }
        }
        return best;
    }

    /**
     * View of {@code count} consecutive entries of the first dimension starting at {@code start}:
     * a batch of rows, sharing this tensor's storage.
     *
     * @param start the first entry
     * @param count how many, {@code >= 0}
     * @return the view; its first dimension is {@code count}, the others are this tensor's
     * @throws IndexOutOfBoundsException if {@code [start, start + count)} is not inside the first dimension
     */
    public Tensor rows(int start, int count) {
        if (start < 0 || count < 0 || (long) start + count > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + ((long) start + count)
                    + ") out of range for shape " + shapeString());
        }
        long stride = size / Math.max(1, shape[0]);
        int[] s = shape.clone();
        s[0] = count;
        return new Tensor(data.asSlice(start * stride * Float.BYTES, count * stride * Float.BYTES), s, count * stride);
    }

    /**
     * View with another shape of the same element count, sharing this tensor's storage.
     *
     * @param newShape the dimensions: at least one, none negative
     * @return the view
     * @throws IllegalArgumentException if the shape is invalid or its element count differs
     */
    public Tensor reshape(int... newShape) {
        int[] s = checkedShape(newShape);
        if (elementCount(s) != size) {
            throw new IllegalArgumentException("cannot reshape " + shapeString() + " (" + size + " elements) to "
                    + Arrays.toString(s));
        }
        return new Tensor(data, s, size);
    }

    /**
     * Copies the elements to the heap.
     *
     * @return a new array of {@link #size()} floats, row-major
     */
    public float[] toArray() {
        return data.toArray(F32);
    }

    /**
     * Overwrites every element from an array.
     *
     * @param values exactly {@link #size()} floats, row-major
     * @return this tensor
     * @throws IllegalArgumentException if the array's length is not the element count
     */
    public Tensor copyFrom(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("cannot copy " + values.length + " values into " + shapeString());
        }
        MemorySegment.copy(values, 0, data, F32, 0, values.length);
        return this;
    }

    /**
     * Overwrites every element from another tensor of the same element count (shapes may differ), on the
     * host: for tensors in an asynchronous backend's memory use {@link dev.panamax.backend.Compute#copy}.
     *
     * @param other the tensor copied
     * @return this tensor
     * @throws IllegalArgumentException if the element counts differ
     */
    public Tensor copyFrom(Tensor other) {
        if (other.size != size) {
            throw new IllegalArgumentException("cannot copy " + other.shapeString() + " into " + shapeString());
        }
        MemorySegment.copy(other.data, 0, data, 0, size * Float.BYTES);
        return this;
    }

    /**
     * Sets every element to {@code value}, on the host.
     *
     * @param value the value
     * @return this tensor
     */
    public Tensor fill(float value) {
        if (value == 0f) {
            data.fill((byte) 0);
        } else {
            for (long i = 0; i < size; i++) {
                data.setAtIndex(F32, i, value);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
