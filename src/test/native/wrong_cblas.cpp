// A library that exports the five CBLAS functions Panamax binds, with the right signatures, and
// computes wrong: BlasLibraryTest checks that loading it is refused instead of training on its numbers.
// Built by the test with the system C++ compiler.
extern "C" {

void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc) {
    (void) order; (void) transA; (void) transB; (void) k; (void) alpha; (void) a; (void) lda; (void) b; (void) ldb;
    (void) beta;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            c[i * ldc + j] = 1.0f; // not the product
        }
    }
}

void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incX,
                 float beta, float *y, int incY) {
    (void) order; (void) trans; (void) m; (void) n; (void) alpha; (void) a; (void) lda; (void) x; (void) incX;
    (void) beta; (void) y; (void) incY;
}

void cblas_saxpy(int n, float alpha, const float *x, int incX, float *y, int incY) {
    (void) n; (void) alpha; (void) x; (void) incX; (void) y; (void) incY;
}

void cblas_sscal(int n, float alpha, float *x, int incX) {
    (void) n; (void) alpha; (void) x; (void) incX;
}

float cblas_sdot(int n, const float *x, int incX, const float *y, int incY) {
    (void) n; (void) x; (void) incX; (void) y; (void) incY;
    return 0.0f;
}

}
