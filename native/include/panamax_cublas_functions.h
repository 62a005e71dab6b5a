/*
 * panamax_cublas_functions.h — names the cuBLAS functions Panamax calls, for jextract
 * (scripts/jextract-bindings generates dev.panamax.backend.cuda.ffi.generated.cublas from this file
 * where the CUDA toolkit's <cublas_v2.h> is installed). The same design as panamax_cblas.h: each
 * member takes its type from the vendor header with __typeof__.
 *
 * Not generated yet, for the reason panamax_cuda_functions.h gives: dev.panamax.backend.cuda.ffi.Cublas
 * is still written by hand and mirrors panamax_cublas.h until then.
 *
 * <cublas_v2.h> #defines the public names to the exported _v2 symbols (cublasSgemm -> cublasSgemm_v2),
 * and the preprocessor renames the members with them.
 */
#ifndef PANAMAX_CUBLAS_FUNCTIONS_H
#define PANAMAX_CUBLAS_FUNCTIONS_H

#include <cublas_v2.h>

struct cublas_functions {
    __typeof__(cublasCreate) *cublasCreate;
    __typeof__(cublasDestroy) *cublasDestroy;
    __typeof__(cublasGetVersion) *cublasGetVersion;
    __typeof__(cublasSetStream) *cublasSetStream;
    __typeof__(cublasSetMathMode) *cublasSetMathMode;
    __typeof__(cublasSgemm) *cublasSgemm;
};

#endif /* PANAMAX_CUBLAS_FUNCTIONS_H */
