/*
 * panamax_cublas_functions.h — names the cuBLAS functions Panamax calls, for jextract
 * (scripts/jextract-bindings generates dev.panamax.backend.cuda.ffi.generated.cublas from this file
 * where the CUDA toolkit's <cublas_v2.h> is installed). The same design as panamax_cblas.h: each
 * member takes its type from the vendor header with __typeof__.
 *
 * Generated from cuBLAS 13.1's <cublas_v2.h> (pip's nvidia-cublas 13.1.1.3 wheel, nvidia/cu13/include);
 * Cublas takes its descriptors and constants from the generated classes.
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
