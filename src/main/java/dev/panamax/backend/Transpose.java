package dev.panamax.backend;

/** Whether a BLAS call uses a matrix as stored or its transpose, as CBLAS's {@code CBLAS_TRANSPOSE} names it. */
public enum Transpose {
    /** op(X) = X. */
    NO_TRANSPOSE,
    /** op(X) = X^T. */
    TRANSPOSE;

    boolean transposed() {
        return this == TRANSPOSE;
    }
}
