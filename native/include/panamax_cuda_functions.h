/*
 * panamax_cuda_functions.h — names the CUDA driver API functions Panamax calls, for jextract
 * (scripts/jextract-bindings generates dev.panamax.backend.cuda.ffi.generated.driver from this file where
 * the CUDA toolkit's <cuda.h> is installed). The same design as panamax_cblas.h: each member takes its
 * type from <cuda.h> with __typeof__, and the bindings find the functions themselves in the driver
 * library they chose at run time.
 *
 * Generated from CUDA 13.0's <cuda.h>; CudaDriver takes its descriptors and constants from the
 * generated classes.
 *
 * Members are written with the public names. <cuda.h> #defines many of them to the symbol the driver
 * exports (cuMemAlloc -> cuMemAlloc_v2, cuEventElapsedTime -> cuEventElapsedTime_v2 in CUDA 13), and
 * the preprocessor applies the same mapping to the member's name, so the generated classes carry the
 * exported names, as FFM needs them. CUDA_API_PER_THREAD_DEFAULT_STREAM is left undefined: Panamax
 * passes its own stream, and the per-thread (_ptds/_ptsz) variants are not wanted.
 */
#ifndef PANAMAX_CUDA_FUNCTIONS_H
#define PANAMAX_CUDA_FUNCTIONS_H

#include <cuda.h>

struct cuda_functions {
    __typeof__(cuGetErrorName) *cuGetErrorName;
    __typeof__(cuGetErrorString) *cuGetErrorString;

    __typeof__(cuInit) *cuInit;
    __typeof__(cuDriverGetVersion) *cuDriverGetVersion;
    __typeof__(cuDeviceGetCount) *cuDeviceGetCount;
    __typeof__(cuDeviceGet) *cuDeviceGet;
    __typeof__(cuDeviceGetName) *cuDeviceGetName;
    __typeof__(cuDeviceGetAttribute) *cuDeviceGetAttribute;
    __typeof__(cuDeviceTotalMem) *cuDeviceTotalMem;

    __typeof__(cuDevicePrimaryCtxRetain) *cuDevicePrimaryCtxRetain;
    __typeof__(cuDevicePrimaryCtxRelease) *cuDevicePrimaryCtxRelease;
    __typeof__(cuCtxSetCurrent) *cuCtxSetCurrent;

    __typeof__(cuMemAlloc) *cuMemAlloc;
    __typeof__(cuMemFree) *cuMemFree;
    __typeof__(cuMemcpyHtoD) *cuMemcpyHtoD;
    __typeof__(cuMemcpyDtoH) *cuMemcpyDtoH;
    __typeof__(cuMemcpyHtoDAsync) *cuMemcpyHtoDAsync;
    __typeof__(cuMemcpyDtoHAsync) *cuMemcpyDtoHAsync;
    __typeof__(cuMemAllocManaged) *cuMemAllocManaged;
    __typeof__(cuMemcpyDtoDAsync) *cuMemcpyDtoDAsync;
    __typeof__(cuMemsetD32Async) *cuMemsetD32Async;

    __typeof__(cuStreamCreate) *cuStreamCreate;
    __typeof__(cuStreamDestroy) *cuStreamDestroy;
    __typeof__(cuStreamSynchronize) *cuStreamSynchronize;
    __typeof__(cuEventCreate) *cuEventCreate;
    __typeof__(cuEventDestroy) *cuEventDestroy;
    __typeof__(cuEventRecord) *cuEventRecord;
    __typeof__(cuEventSynchronize) *cuEventSynchronize;
    __typeof__(cuEventElapsedTime) *cuEventElapsedTime;

    __typeof__(cuModuleLoadData) *cuModuleLoadData;
    __typeof__(cuModuleUnload) *cuModuleUnload;
    __typeof__(cuModuleGetFunction) *cuModuleGetFunction;
    __typeof__(cuLaunchKernel) *cuLaunchKernel;
};

#endif /* PANAMAX_CUDA_FUNCTIONS_H */
