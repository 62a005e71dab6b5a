package dev.panamax.backend;

import dev.panamax.backend.staging.Strided;

import java.lang.foreign.MemorySegment;

/**
 * BLAS for float32 on memory the caller owns: {@code float[]} or any {@link MemorySegment} (native or
 * heap), either storage order, transposes, leading dimensions, offsets and increments, as CBLAS takes
 * them, computed by whichever {@link Backend} this was made with.
 *
 * <pre>{@code
 * try (Backend backend = Backends.best(0)) {
 *     FloatBlas blas = new FloatBlas(backend);
 *     blas.sgemm(MatrixOrder.ROW_MAJOR, Transpose.NO_TRANSPOSE, Transpose.NO_TRANSPOSE, m, n, k,
 *             1f, a, 0, k, b, 0, n, 0f, c, 0, n);
 * }
 * }</pre>
 *
 * <p>Every argument is checked before anything is read or written; a call that would reach outside its
 * arrays, or whose output overlaps an input, throws a {@link BlasArgumentException} that names the
 * argument, its value and what was expected. Offsets count floats. Nothing outside the output's own
 * elements is written (the gaps between rows that a leading dimension leaves stay as they are).
 * Increments follow BLAS: a negative one walks the vector from its far end; zero is refused, as is a
 * non-positive one for sscal and snrm2 (which BLAS would silently skip).
 *
 * <p>Any number of threads may call one instance, or one backend, at once; each call has its result in
 * memory when it returns. NaN and infinity in the data propagate as IEEE arithmetic has them, except
 * that beta = 0 means the output is not read (BLAS's rule: NaN already in C does not survive).
 *
 * <p>Heap arrays: the level-1 and 2 calls read them in place on the simd and scalar backends; simd's
 * GEMM copies heap operands into reused native buffers first (O(n^2) beside O(n^3)); the blas backend
 * passes them to OpenBLAS in place for short calls and through per-thread native buffers for long ones
 * (see BlasBackend.CRITICAL_MAX_FMAS). A call on {@code float[]} wraps each array in a segment view (a small
 * object); the MemorySegment calls at offset 0 allocate nothing on the simd backend.
 */
public final class FloatBlas {
    private final Backend backend;

    /**
     * Calls computed by {@code backend}; closing the backend is the caller's business.
     *
     * @param backend the backend that computes every call of this instance
     * @throws IllegalArgumentException if {@code backend} is null
     */
    public FloatBlas(Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("backend is null");
        }
        this.backend = backend;
    }

    /**
     * The backend that computes.
     *
     * @return the backend this instance was made with
     */
    public Backend backend() {
        return backend;
    }

    // ---------------------------------------------------------------- sgemm

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} on arrays; op(A) is m x k, op(B) k x n, C m x n.
     *
     * @param order  how A, B and C are stored: {@link MatrixOrder#ROW_MAJOR} or {@link MatrixOrder#COLUMN_MAJOR}
     * @param transA whether op(A) is A or its transpose
     * @param transB whether op(B) is B or its transpose
     * @param m      rows of op(A) and of C, {@code >= 0}
     * @param n      columns of op(B) and of C, {@code >= 0}
     * @param k      columns of op(A) and rows of op(B), {@code >= 0}; 0 makes C {@code beta * C}
     * @param alpha  the factor of the product
     * @param a      A, stored m x k, or k x m when transposed
     * @param aOffset the float index of A's first element in {@code a}, {@code >= 0}
     * @param lda    A's leading dimension: floats from one row (row-major) or column (column-major) of the
     *               stored A to the next, at least that line's length and 1
     * @param b      B, stored k x n, or n x k when transposed
     * @param bOffset the float index of B's first element in {@code b}
     * @param ldb    B's leading dimension, as {@code lda}
     * @param beta   the factor of C's old value; 0 means C is not read
     * @param c      C, m x n, the output; must not share memory with A or B
     * @param cOffset the float index of C's first element in {@code c}
     * @param ldc    C's leading dimension, as {@code lda}
     * @throws BlasArgumentException if an argument is null or negative, a leading dimension is too short,
     *         a matrix reaches outside its array, or C overlaps A or B; nothing has been written then
     */
    public void sgemm(MatrixOrder order, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        sgemm(order, transA, transB, m, n, k, alpha, wrap("sgemm", "A", a), aOffset, lda, wrap("sgemm", "B", b),
                bOffset, ldb, beta, wrap("sgemm", "C", c), cOffset, ldc);
    }

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} on segments (native or heap); op(A) is m x k, op(B) k x n,
     * C m x n; offsets in floats.
     *
     * @param order  how A, B and C are stored: {@link MatrixOrder#ROW_MAJOR} or {@link MatrixOrder#COLUMN_MAJOR}
     * @param transA whether op(A) is A or its transpose
     * @param transB whether op(B) is B or its transpose
     * @param m      rows of op(A) and of C, {@code >= 0}
     * @param n      columns of op(B) and of C, {@code >= 0}
     * @param k      columns of op(A) and rows of op(B), {@code >= 0}; 0 makes C {@code beta * C}
     * @param alpha  the factor of the product
     * @param a      A, stored m x k, or k x m when transposed
     * @param aOffset the float index of A's first element in {@code a}, {@code >= 0}
     * @param lda    A's leading dimension: floats from one row (row-major) or column (column-major) of the
     *               stored A to the next, at least that line's length and 1
     * @param b      B, stored k x n, or n x k when transposed
     * @param bOffset the float index of B's first element in {@code b}
     * @param ldb    B's leading dimension, as {@code lda}
     * @param beta   the factor of C's old value; 0 means C is not read
     * @param c      C, m x n, the output; must not share memory with A or B
     * @param cOffset the float index of C's first element in {@code c}
     * @param ldc    C's leading dimension, as {@code lda}
     * @throws BlasArgumentException if an argument is null or negative, a leading dimension is too short,
     *         a matrix reaches outside its segment, C is read-only, a segment
     *         is closed or confined to another thread, or C overlaps A or B; nothing has been written then
     */
    public void sgemm(MatrixOrder order, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                      float beta, MemorySegment c, long cOffset, int ldc) {
        String r = "sgemm";
        requireNonNull(r, "order", order);
        requireNonNull(r, "transA", transA);
        requireNonNull(r, "transB", transB);
        requireSize(r, "m", m);
        requireSize(r, "n", n);
        requireSize(r, "k", k);
        boolean ta = transA.transposed();
        boolean tb = transB.transposed();
        long aFloats = matrix(r, "A", "lda", order, ta ? k : m, ta ? m : k, a, aOffset, lda);
        long bFloats = matrix(r, "B", "ldb", order, tb ? n : k, tb ? k : n, b, bOffset, ldb);
        long cFloats = matrix(r, "C", "ldc", order, m, n, c, cOffset, ldc);
        requireWritable(r, "C", c, cFloats);
        requireApart(r, "C", c, cOffset, cFloats, "A", a, aOffset, aFloats);
        requireApart(r, "C", c, cOffset, cFloats, "B", b, bOffset, bFloats);
        if (m == 0 || n == 0) {
            return;
        }
        if (order == MatrixOrder.ROW_MAJOR) {
            backend.gemm(ta, tb, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else {
            // column-major C is row-major C^T = op(B)^T op(A)^T: the same storage, the operands swapped
            backend.gemm(tb, ta, n, m, k, alpha, b, bOffset, ldb, a, aOffset, lda, beta, c, cOffset, ldc);
        }
    }

    // ---------------------------------------------------------------- sgemv

    /**
     * {@code y = alpha * op(A) x + beta * y} on arrays; A is m x n, x has n elements (m if trans), y m (n).
     *
     * @param order  how A is stored: {@link MatrixOrder#ROW_MAJOR} or {@link MatrixOrder#COLUMN_MAJOR}
     * @param trans  whether op(A) is A or its transpose
     * @param m      rows of A, {@code >= 0}
     * @param n      columns of A, {@code >= 0}; when m or n is 0, y is left as it is (BLAS's quick return)
     * @param alpha  the factor of the product
     * @param a      A, stored m x n
     * @param aOffset the float index of A's first element in {@code a}, {@code >= 0}
     * @param lda    A's leading dimension: floats from one row (row-major) or column (column-major) to the
     *               next, at least that line's length and 1
     * @param x      the input vector: n elements, or m when transposed
     * @param xOffset the float index in {@code x} where the vector's storage starts
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param beta   the factor of y's old value; 0 means y is not read
     * @param y      the output vector: m elements, or n when transposed; must not share memory with A or x
     * @param yOffset the float index in {@code y} where the vector's storage starts
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @throws BlasArgumentException if an argument is null or negative, lda is too short, an increment is 0,
     *         an operand reaches outside its array, or y overlaps A or x; nothing has been written then
     */
    public void sgemv(MatrixOrder order, Transpose trans, int m, int n, float alpha, float[] a, int aOffset, int lda,
                      float[] x, int xOffset, int incX, float beta, float[] y, int yOffset, int incY) {
        sgemv(order, trans, m, n, alpha, wrap("sgemv", "A", a), aOffset, lda, wrap("sgemv", "x", x), xOffset, incX,
                beta, wrap("sgemv", "y", y), yOffset, incY);
    }

    /**
     * {@code y = alpha * op(A) x + beta * y} on segments (native or heap); A is m x n, x has n elements
     * (m if trans), y m (n); offsets in floats.
     *
     * @param order  how A is stored: {@link MatrixOrder#ROW_MAJOR} or {@link MatrixOrder#COLUMN_MAJOR}
     * @param trans  whether op(A) is A or its transpose
     * @param m      rows of A, {@code >= 0}
     * @param n      columns of A, {@code >= 0}; when m or n is 0, y is left as it is (BLAS's quick return)
     * @param alpha  the factor of the product
     * @param a      A, stored m x n
     * @param aOffset the float index of A's first element in {@code a}, {@code >= 0}
     * @param lda    A's leading dimension: floats from one row (row-major) or column (column-major) to the
     *               next, at least that line's length and 1
     * @param x      the input vector: n elements, or m when transposed
     * @param xOffset the float index in {@code x} where the vector's storage starts
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param beta   the factor of y's old value; 0 means y is not read
     * @param y      the output vector: m elements, or n when transposed; must not share memory with A or x
     * @param yOffset the float index in {@code y} where the vector's storage starts
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @throws BlasArgumentException if an argument is null or negative, lda is too short, an increment is 0,
     *         an operand reaches outside its segment, y is read-only, a segment
     *         is closed or confined to another thread, or y overlaps A or x; nothing has been written then
     */
    public void sgemv(MatrixOrder order, Transpose trans, int m, int n, float alpha,
                      MemorySegment a, long aOffset, int lda, MemorySegment x, long xOffset, int incX,
                      float beta, MemorySegment y, long yOffset, int incY) {
        String r = "sgemv";
        requireNonNull(r, "order", order);
        requireNonNull(r, "trans", trans);
        requireSize(r, "m", m);
        requireSize(r, "n", n);
        boolean t = trans.transposed();
        long aFloats = matrix(r, "A", "lda", order, m, n, a, aOffset, lda);
        long xFloats = vector(r, "x", "incX", t ? m : n, x, xOffset, incX);
        long yFloats = vector(r, "y", "incY", t ? n : m, y, yOffset, incY);
        requireWritable(r, "y", y, yFloats);
        requireApart(r, "y", y, yOffset, yFloats, "A", a, aOffset, aFloats);
        requireApart(r, "y", y, yOffset, yFloats, "x", x, xOffset, xFloats);
        if (m == 0 || n == 0) {
            return; // BLAS's quick return: y is left as it is, even when it has elements and beta != 1
        }
        if (order == MatrixOrder.ROW_MAJOR) {
            backend.gemv(t, m, n, alpha, a, aOffset, lda, x, xOffset, incX, beta, y, yOffset, incY);
        } else {
            // column-major A (m,n) is row-major A^T (n,m) in the same storage
            backend.gemv(!t, n, m, alpha, a, aOffset, lda, x, xOffset, incX, beta, y, yOffset, incY);
        }
    }

    // ---------------------------------------------------------------- level 1

    /**
     * The sum of {@code x[i] * y[i]} over n elements of two arrays.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param x      the first vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param y      the second vector
     * @param yOffset the float index in {@code y} where the vector's storage starts, {@code >= 0}
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @return the dot product; 0 when n is 0
     * @throws BlasArgumentException if an argument is null, n is negative, an increment is 0, or a vector
     *         reaches outside its array
     */
    public float sdot(int n, float[] x, int xOffset, int incX, float[] y, int yOffset, int incY) {
        return sdot(n, wrap("sdot", "x", x), xOffset, incX, wrap("sdot", "y", y), yOffset, incY);
    }

    /**
     * The sum of {@code x[i] * y[i]} over n elements of two segments (native or heap).
     *
     * @param n      the number of elements, {@code >= 0}
     * @param x      the first vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param y      the second vector
     * @param yOffset the float index in {@code y} where the vector's storage starts, {@code >= 0}
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @return the dot product; 0 when n is 0
     * @throws BlasArgumentException if an argument is null, n is negative, an increment is 0, a vector
     *         reaches outside its segment, or a segment is closed or confined to another thread
     */
    public float sdot(int n, MemorySegment x, long xOffset, int incX, MemorySegment y, long yOffset, int incY) {
        requireSize("sdot", "n", n);
        vector("sdot", "x", "incX", n, x, xOffset, incX);
        vector("sdot", "y", "incY", n, y, yOffset, incY);
        return n == 0 ? 0f : backend.dot(n, x, xOffset, incX, y, yOffset, incY);
    }

    /**
     * {@code y = alpha * x + y} over n elements of two arrays. x may be y itself (same offset and
     * increment: y becomes (1 + alpha) y); any other overlap is refused. The Java backends round each element
     * once (a fused multiply-add); a native BLAS may round the product first (OpenBLAS 0.3.21 does for the
     * elements outside its vector loop).
     *
     * @param n      the number of elements, {@code >= 0}
     * @param alpha  the factor of x
     * @param x      the input vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param y      the vector added to, the output
     * @param yOffset the float index in {@code y} where the vector's storage starts, {@code >= 0}
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @throws BlasArgumentException if an argument is null, n is negative, an increment is 0, a vector
     *         reaches outside its array, or y overlaps x other than as the same vector; nothing has been
     *         written then
     */
    public void saxpy(int n, float alpha, float[] x, int xOffset, int incX, float[] y, int yOffset, int incY) {
        saxpy(n, alpha, wrap("saxpy", "x", x), xOffset, incX, wrap("saxpy", "y", y), yOffset, incY);
    }

    /**
     * {@code y = alpha * x + y} over n elements of two segments (native or heap). x may be y itself
     * (same offset and increment: y becomes (1 + alpha) y); any other overlap is refused. Rounding as in
     * {@link #saxpy(int, float, float[], int, int, float[], int, int)}.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param alpha  the factor of x
     * @param x      the input vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements of x, not 0; negative walks x from its far end
     * @param y      the vector added to, the output
     * @param yOffset the float index in {@code y} where the vector's storage starts, {@code >= 0}
     * @param incY   floats between consecutive elements of y, not 0; negative walks y from its far end
     * @throws BlasArgumentException if an argument is null, n is negative, an increment is 0, a vector
     *         reaches outside its segment, a segment is closed or confined to another thread, y is read-only,
     *         or y overlaps x other than as the same vector; nothing has been written then
     */
    public void saxpy(int n, float alpha, MemorySegment x, long xOffset, int incX,
                      MemorySegment y, long yOffset, int incY) {
        String r = "saxpy";
        requireSize(r, "n", n);
        long xFloats = vector(r, "x", "incX", n, x, xOffset, incX);
        long yFloats = vector(r, "y", "incY", n, y, yOffset, incY);
        requireWritable(r, "y", y, yFloats);
        if (n == 0) {
            return;
        }
        boolean same = incX == incY && Compute.sameMemory(x.asSlice(xOffset * Float.BYTES),
                y.asSlice(yOffset * Float.BYTES));
        if (!same) {
            requireApart(r, "y", y, yOffset, yFloats, "x", x, xOffset, xFloats);
        }
        backend.axpy(n, alpha, x, xOffset, incX, y, yOffset, incY);
    }

    /**
     * {@code x = alpha * x} over n elements of an array; incX > 0.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param alpha  the factor
     * @param x      the vector scaled in place
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements, {@code > 0}
     * @throws BlasArgumentException if an argument is null, n is negative, incX is not positive, or a vector
     *         reaches outside its array
     */
    public void sscal(int n, float alpha, float[] x, int xOffset, int incX) {
        sscal(n, alpha, wrap("sscal", "x", x), xOffset, incX);
    }

    /**
     * {@code x = alpha * x} over n elements of a segment (native or heap); incX > 0.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param alpha  the factor
     * @param x      the vector scaled in place
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements, {@code > 0}
     * @throws BlasArgumentException if an argument is null, n is negative, incX is not positive, a vector
     *         reaches outside its segment, a segment is closed or confined to another thread, or x is
     *         read-only
     */
    public void sscal(int n, float alpha, MemorySegment x, long xOffset, int incX) {
        requireSize("sscal", "n", n);
        requirePositiveIncrement("sscal", incX);
        long floats = vector("sscal", "x", "incX", n, x, xOffset, incX);
        requireWritable("sscal", "x", x, floats);
        if (n > 0) {
            backend.scal(n, alpha, x, xOffset, incX);
        }
    }

    /**
     * The Euclidean norm of n elements of an array; incX > 0.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param x      the vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements, {@code > 0}
     * @return {@code sqrt(sum x[i]^2)}; 0 when n is 0
     * @throws BlasArgumentException if an argument is null, n is negative, incX is not positive, or a vector
     *         reaches outside its array
     */
    public float snrm2(int n, float[] x, int xOffset, int incX) {
        return snrm2(n, wrap("snrm2", "x", x), xOffset, incX);
    }

    /**
     * The Euclidean norm of n elements of a segment (native or heap); incX > 0.
     *
     * @param n      the number of elements, {@code >= 0}
     * @param x      the vector
     * @param xOffset the float index in {@code x} where the vector's storage starts, {@code >= 0}
     * @param incX   floats between consecutive elements, {@code > 0}
     * @return {@code sqrt(sum x[i]^2)}; 0 when n is 0
     * @throws BlasArgumentException if an argument is null, n is negative, incX is not positive, a vector
     *         reaches outside its segment, or a segment is closed or confined to another thread
     */
    public float snrm2(int n, MemorySegment x, long xOffset, int incX) {
        requireSize("snrm2", "n", n);
        requirePositiveIncrement("snrm2", incX);
        vector("snrm2", "x", "incX", n, x, xOffset, incX);
        return n == 0 ? 0f : backend.nrm2(n, x, xOffset, incX);
    }

    // ---------------------------------------------------------------- checks

    private static MemorySegment wrap(String routine, String name, float[] array) {
        if (array == null) {
            throw new BlasArgumentException(routine, name, name + " is null");
        }
        return MemorySegment.ofArray(array);
    }

    private static void requireNonNull(String routine, String name, Object value) {
        if (value == null) {
            throw new BlasArgumentException(routine, name, name + " is null");
        }
    }

    private static void requireSize(String routine, String name, int value) {
        if (value < 0) {
            throw new BlasArgumentException(routine, name, name + " = " + value + ", must be >= 0");
        }
    }

    private static void requirePositiveIncrement(String routine, int inc) {
        if (inc <= 0) {
            throw new BlasArgumentException(routine, "incX", "incX = " + inc + ", must be > 0");
        }
    }

    /**
     * Checks a stored matrix of rows x cols (as stored, in {@code order}) with leading dimension ld at
     * float {@code offset} of {@code s}; returns the floats it spans, first element to last (0 if empty).
     */
    private static long matrix(String routine, String name, String ldName, MatrixOrder order, int rows, int cols,
                               MemorySegment s, long offset, int ld) {
        requireNonNull(routine, name, s);
        boolean rowMajor = order == MatrixOrder.ROW_MAJOR;
        int lines = rowMajor ? rows : cols;
        int lineLength = rowMajor ? cols : rows;
        if (ld < Math.max(1, lineLength)) {
            throw new BlasArgumentException(routine, ldName, ldName + " = " + ld + ", must be >= max(1, "
                    + lineLength + "): " + name + " is stored " + rows + " x " + cols + " " + orderName(order)
                    + ", so its " + (rowMajor ? "rows" : "columns") + " are " + lineLength + " long");
        }
        long floats = Strided.extent(lines, lineLength, ld);
        if (!fits(s, offset, floats)) { // the message is built only here: a call that passes allocates nothing
            throw outside(routine, name, s, offset, floats, name + " (" + rows + " x " + cols + " "
                    + orderName(order) + ", " + ldName + " " + ld + ")");
        }
        requireUsable(routine, name, s);
        return floats;
    }

    /** Checks an n-element vector with increment inc at float {@code offset}; returns the floats it spans. */
    private static long vector(String routine, String name, String incName, int n, MemorySegment s, long offset,
                               int inc) {
        requireNonNull(routine, name, s);
        if (inc == 0) {
            throw new BlasArgumentException(routine, incName, incName + " = 0, must not be zero");
        }
        long floats = n == 0 ? 0 : (long) (n - 1) * Math.abs((long) inc) + 1;
        if (!fits(s, offset, floats)) {
            throw outside(routine, name, s, offset, floats, name + " (" + n + " elements, " + incName + " " + inc + ")");
        }
        requireUsable(routine, name, s);
        return floats;
    }

    private static boolean fits(MemorySegment s, long offset, long floats) {
        return offset >= 0 && (floats == 0 || offset + floats <= s.byteSize() / Float.BYTES);
    }

    private static BlasArgumentException outside(String routine, String name, MemorySegment s, long offset, long floats,
                                                 String what) {
        if (offset < 0) {
            return new BlasArgumentException(routine, name, "the offset of " + name + " is " + offset + ", must be >= 0");
        }
        return new BlasArgumentException(routine, name, what + " from offset " + offset + " needs " + (offset + floats)
                + " floats, but " + name + " holds " + s.byteSize() / Float.BYTES);
    }

    private static void requireUsable(String routine, String name, MemorySegment s) {
        if (!s.scope().isAlive()) {
            throw new BlasArgumentException(routine, name, "the arena of " + name + " is closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new BlasArgumentException(routine, name, name + " belongs to a confined arena of another thread");
        }
    }

    private static void requireWritable(String routine, String name, MemorySegment s, long floats) {
        if (floats > 0 && s.isReadOnly()) {
            throw new BlasArgumentException(routine, name, name + " is the output and is read-only");
        }
    }

    // output and input spans must not share a float: BLAS leaves the result undefined when they do
    private static void requireApart(String routine, String outName, MemorySegment out, long outOffset, long outFloats,
                                     String inName, MemorySegment in, long inOffset, long inFloats) {
        if (outFloats == 0 || inFloats == 0) {
            return;
        }
        if (Compute.overlap(out.asSlice(outOffset * Float.BYTES, outFloats * Float.BYTES),
                in.asSlice(inOffset * Float.BYTES, inFloats * Float.BYTES))) {
            throw new BlasArgumentException(routine, outName, outName + " (floats " + outOffset + " to "
                    + (outOffset + outFloats - 1) + ") overlaps " + inName + " (floats " + inOffset + " to "
                    + (inOffset + inFloats - 1) + ") in the same memory; the output must not share memory with an input");
        }
    }

    private static String orderName(MatrixOrder order) {
        return order == MatrixOrder.ROW_MAJOR ? "row-major" : "column-major";
    }
}
