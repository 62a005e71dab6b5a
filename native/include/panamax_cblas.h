/*
 * panamax_cblas.h — the subset of the CBLAS and OpenBLAS C API that Panamax binds with the
 * Foreign Function & Memory API (Java package dev.panamax.backend.blas.ffi mirrors it by hand).
 *
 * Integers are 32-bit (blasint = int): Panamax binds LP64 builds of OpenBLAS, the default of
 * Debian's libopenblas0-pthread and of the org.bytedeco:openblas natives. An ILP64 build
 * (INTERFACE64=1, usually named libopenblas64_) would need int64_t in every size below.
 *
 * To regenerate the Java side with jextract, see the package documentation of
 * dev.panamax.backend.blas.ffi.
 */
#ifndef PANAMAX_CBLAS_H
#define PANAMAX_CBLAS_H

/* The enum values are fixed by the CBLAS standard (BLAS Technical Forum, Annex B). */
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };

/* Level 3: C = alpha * op(A) * op(B) + beta * C; op(A) is (M,K), op(B) is (K,N), C is (M,N). */
void cblas_sgemm(enum CBLAS_ORDER Order, enum CBLAS_TRANSPOSE TransA, enum CBLAS_TRANSPOSE TransB,
                 int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc);

/* Level 2: y = alpha * op(A) * x + beta * y; A is (M,N). */
void cblas_sgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, int M, int N, float alpha,
                 const float *A, int lda, const float *X, int incX, float beta, float *Y, int incY);

/* Level 1. */
void cblas_saxpy(int n, float alpha, const float *x, int incx, float *y, int incy);
void cblas_sscal(int N, float alpha, float *X, int incX);
float cblas_sdot(int n, const float *x, int incx, const float *y, int incy);
float cblas_snrm2(int N, const float *X, int incX); /* optional in Panamax's binding */

/* OpenBLAS extensions (absent from other CBLAS libraries; Panamax treats them as optional). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

#endif /* PANAMAX_CBLAS_H */
