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

    /** Allocates a zero-filled tensor owned by {@code owner}. */
    public static Tensor allocate(Arena owner, int... shape) {
        int[] s = checkedShape(shape);
        long n = elementCount(s);
        MemorySegment seg = owner.allocate(Math.max(1, n) * Float.BYTES, ALIGNMENT);
        return new Tensor(seg.asSlice(0, n * Float.BYTES), s, n);
    }

    /** Allocates a tensor owned by {@code owner} and fills it with a copy of {@code values}. */
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
     * The segment must hold exactly {@code product(shape)} floats.
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

    /** The storage: exactly {@link #size()} floats, native byte order. */
    public MemorySegment segment() {
        return data;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " out of range for shape " + shapeString());
        }
        return shape[axis];
    }

    public int[] shape() {
        return shape.clone();
    }

    public long size() {
        return size;
    }

    /** Rows of the tensor seen as a matrix: every dimension but the last multiplied together. */
    public int rows() {
        return shape.length == 1 ? 1 : (int) (size / Math.max(1, shape[shape.length - 1]));
    }

    /** Columns of the tensor seen as a matrix: the last dimension. */
    public int cols() {
        return shape[shape.length - 1];
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    public float get(long index) {
        return data.getAtIndex(F32, index);
    }

    public void set(long index, float value) {
        data.setAtIndex(F32, index, value);
    }

    /** The flat index of the first NaN or infinite element, or -1 when every element is finite. */
    public long firstNonFinite() {
        for (long i = 0; i < size; i++) {
            if (!Float.isFinite(data.getAtIndex(F32, i))) {
                return i;
            }
        }
        return -1;
    }

    /** The element at flat index {@code flat} written as its index per dimension, e.g. "[3, 17]". */
    public String indexString(long flat) {
        return indexString(shape, flat);
    }

    /** Flat index {@code flat} of a row-major array of {@code shape} written per dimension, e.g. "[3, 17]". */
    public static String indexString(int[] shape, long flat) {
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(index);
    }

    /** Element (row, col) of a rank-2 tensor. */
    public float get(int row, int col) {
        return data.getAtIndex(F32, (long) row * cols() + col);
    }

    public void set(int row, int col, float value) {
        data.setAtIndex(F32, (long) row * cols() + col, value);
    }

    /**
     * The column of the largest value in row {@code row} of the matrix view, as torch.argmax picks it:
     * ties go to the first, and a NaN counts as the largest (the first NaN wins). Used for accuracy.
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

    /** View of {@code count} consecutive entries of the first dimension starting at {@code start}. */
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

    /** View with another shape of the same element count. */
    public Tensor reshape(int... newShape) {
        int[] s = checkedShape(newShape);
        if (elementCount(s) != size) {
            throw new IllegalArgumentException("cannot reshape " + shapeString() + " (" + size + " elements) to "
                    + Arrays.toString(s));
        }
        return new Tensor(data, s, size);
    }

    public float[] toArray() {
        return data.toArray(F32);
    }

    public Tensor copyFrom(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("cannot copy " + values.length + " values into " + shapeString());
        }
        MemorySegment.copy(values, 0, data, F32, 0, values.length);
        return this;
    }

    public Tensor copyFrom(Tensor other) {
        if (other.size != size) {
            throw new IllegalArgumentException("cannot copy " + other.shapeString() + " into " + shapeString());
        }
        MemorySegment.copy(other.data, 0, data, 0, size * Float.BYTES);
        return this;
    }

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
