package dev.panamax.backend.reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain loops for the strided BLAS calls of {@link dev.panamax.backend.Backend}: the oracle the tests check every backend
 * against, and what a backend inherits for a call it does not speed up. Products are accumulated in
 * double and rounded once, so a result is the exactly rounded value wherever double's 53 bits hold the
 * sum exactly, and within a few float ulps of it otherwise.
 *
 * <p>Storage is BLAS's, row-major: element (i, j) of a matrix X with leading dimension ldx is float
 * {@code xOffset + i * ldx + j} of its segment; element i of a vector with increment inc is float
 * {@code offset + i * inc}, or {@code offset + (n - 1 - i) * -inc} when inc is negative (BLAS walks a
 * negative stride from the far end). Offsets count floats. Arguments are not checked: {@link dev.panamax.backend.FloatBlas} does.
 */
public final class ReferenceBlas {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private ReferenceBlas() {
    }

    /** Float index of element i of an n-element vector starting at {@code offset} with increment {@code inc}. */
    public static long at(long offset, int i, int n, int inc) {
        return inc >= 0 ? offset + (long) i * inc : offset + (long) (n - 1 - i) * -inc;
    }

    /** {@code C = alpha * op(A) op(B) + beta * C} (see {@link dev.panamax.backend.Backend#gemm(boolean, boolean, int, int, int, float,
     *  MemorySegment, long, int, MemorySegment, long, int, float, MemorySegment, long, int)}). */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                            float beta, MemorySegment c, long cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = get(a, aOffset + (transA ? (long) p * lda + i : (long) i * lda + p));
                    float bv = get(b, bOffset + (transB ? (long) j * ldb + p : (long) p * ldb + j));
                    acc += (double) av * bv;
                }
                long ci = cOffset + (long) i * ldc + j;
                double result = alpha * acc;
                if (beta != 0f) {
                    result += (double) beta * get(c, ci);
                }
                set(c, ci, (float) result);
            }
        }
    }

    /** {@code y = alpha * op(A) x + beta * y}; A (m,n); op(A) = A takes n-element x to m-element y, A^T the reverse. */
    public static void gemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aOffset, int lda,
                            MemorySegment x, long xOffset, int incX, float beta, MemorySegment y, long yOffset, int incY) {
        int rows = trans ? n : m;
        int len = trans ? m : n;
        for (int i = 0; i < rows; i++) {
            double acc = 0;
            for (int p = 0; p < len; p++) {
                float av = get(a, aOffset + (trans ? (long) p * lda + i : (long) i * lda + p));
                acc += (double) av * get(x, at(xOffset, p, len, incX));
            }
            long yi = at(yOffset, i, rows, incY);
            double result = alpha * acc;
            if (beta != 0f) {
                result += (double) beta * get(y, yi);
            }
            set(y, yi, (float) result);
        }
    }

    /** Sum of {@code x[i] * y[i]}. */
    public static float dot(int n, MemorySegment x, long xOffset, int incX, MemorySegment y, long yOffset, int incY) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += (double) get(x, at(xOffset, i, n, incX)) * get(y, at(yOffset, i, n, incY));
        }
        return (float) acc;
    }

    /** {@code y[i] = alpha * x[i] + y[i]}, one rounding (fused multiply-add). */
    public static void axpy(int n, float alpha, MemorySegment x, long xOffset, int incX,
                            MemorySegment y, long yOffset, int incY) {
        for (int i = 0; i < n; i++) {
            long yi = at(yOffset, i, n, incY);
            set(y, yi, Math.fma(alpha, get(x, at(xOffset, i, n, incX)), get(y, yi)));
        }
    }

    /** {@code x[i] = alpha * x[i]}; incX > 0. */
    public static void scal(int n, float alpha, MemorySegment x, long xOffset, int incX) {
        for (int i = 0; i < n; i++) {
            long xi = xOffset + (long) i * incX;
            set(x, xi, alpha * get(x, xi));
        }
    }

    /**
     * Euclidean norm, summed in double: squares of floats neither overflow nor underflow there (float's
     * range squared stays inside double's), so no scaling pass is needed; incX > 0.
     */
    public static float nrm2(int n, MemorySegment x, long xOffset, int incX) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            double v = get(x, xOffset + (long) i * incX);
            acc += v * v;
        }
        return (float) Math.sqrt(acc);
    }

    private static float get(MemorySegment s, long index) {
        return s.get(FLOAT, index * Float.BYTES);
    }

    private static void set(MemorySegment s, long index, float v) {
        s.set(FLOAT, index * Float.BYTES, v);
    }
}
