/*
 * panamax_cublas.h — the subset of cuBLAS (<cublas_api.h>, cuBLAS 12 and 13) that Panamax binds with
 * the Foreign Function & Memory API (Java class dev.panamax.backend.cuda.ffi.Cublas mirrors it by hand).
 * Declared under the exported _v2 names that <cublas_v2.h> maps the public names to. The library is
 * libcublas.so.13 (CUDA 13) or libcublas.so.12 (CUDA 12); both export these with the same signatures.
 * Kept by hand until scripts/jextract-bindings has generated the bindings from
 * panamax_cublas_functions.h; then this file goes, as panamax_cuda.h does.
 */
#ifndef PANAMAX_CUBLAS_H
#define PANAMAX_CUBLAS_H

typedef int cublasStatus_t;               /* 0 = CUBLAS_STATUS_SUCCESS */
typedef struct cublasContext *cublasHandle_t;
typedef struct CUstream_st *cudaStream_t; /* the same object as a driver CUstream */

typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
/* CUBLAS_DEFAULT_MATH: full fp32 (no TF32 tensor-core rounding of the inputs). */
typedef enum { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 } cublasMath_t;

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle);
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle);
cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version);
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);

/* Column-major: C = alpha * op(A) * op(B) + beta * C; op(A) (m,k), op(B) (k,n), C (m,n).
   alpha and beta are host pointers (the default CUBLAS_POINTER_MODE_HOST). */
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k, const float *alpha, const float *A, int lda,
                              const float *B, int ldb, const float *beta, float *C, int ldc);

#endif /* PANAMAX_CUBLAS_H */
