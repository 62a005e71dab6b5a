package dev.panamax.backend;

/** How a matrix is laid out in memory, as CBLAS's {@code CBLAS_ORDER} names it. */
public enum MatrixOrder {
    /** Rows one after another: element (i, j) at {@code offset + i * ld + j}; C and Java arrays. */
    ROW_MAJOR,
    /** Columns one after another: element (i, j) at {@code offset + j * ld + i}; Fortran BLAS, netlib, LAPACK. */
    COLUMN_MAJOR
}
