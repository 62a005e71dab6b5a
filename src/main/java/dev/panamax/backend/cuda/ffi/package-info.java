/**
 * Foreign Function &amp; Memory bindings for the CUDA driver API and cuBLAS subsets Panamax uses.
 *
 * <p>They are generated the way the CBLAS bindings are (the package doc of
 * {@code dev.panamax.backend.ffi} says how and why): {@code native/include/panamax_cuda_functions.h} and
 * {@code panamax_cublas_functions.h} name the functions, as members of a struct of function pointers
 * typed from the CUDA toolkit's {@code <cuda.h>} (CUDA 13.0) and {@code <cublas_v2.h>} (cuBLAS 13.1.1),
 * and {@code scripts/jextract-bindings cuda} generates {@code generated.driver} and
 * {@code generated.cublas} from them (jextract's output, committed unmodified; the script's header has the
 * jextract version and the exact inputs). The vendor headers {@code #define} the public names to the
 * exported ones ({@code cuMemAlloc_v2}, {@code cublasSgemm_v2}), so the generated classes carry the names
 * FFM looks up.
 *
 * <p>{@link dev.panamax.backend.cuda.ffi.CudaDriver} and {@link dev.panamax.backend.cuda.ffi.Cublas} are
 * the typed layer over them: each binds its functions with the generated descriptors from a
 * {@code SymbolLookup} of a library found at run time ({@code CudaLibraries}), so nothing is looked up
 * in a class initializer, checks every status, and names a failure by the library's own name for it. The
 * one adaptation: cuBLAS's {@code float *} device pointers travel as the {@code long} device addresses
 * the backend holds (the same register either way; see {@code Cublas.SGEMM}).
 *
 * <p>The commands, with CUDA 13.0 in {@code /usr/local/cuda-13.0} and pip's {@code nvidia-cublas}
 * 13.1.1.3 wheel unpacked in {@code /opt/cublas} (only its headers are read):
 * <pre>{@code
 * jextract --output src/main/java --target-package dev.panamax.backend.cuda.ffi.generated.driver \
 *   --header-class-name cuda_h -I /usr/local/cuda-13.0/include --include-struct cuda_functions \
 *   --include-constant CUDA_SUCCESS --include-constant CUDA_ERROR_NO_DEVICE \
 *   --include-constant CU_STREAM_NON_BLOCKING --include-constant CU_EVENT_DEFAULT \
 *   --include-constant CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT \
 *   --include-constant CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR \
 *   --include-constant CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR \
 *   --include-constant CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY \
 *   --include-constant CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS \
 *   --include-constant CU_MEM_ATTACH_GLOBAL \
 *   native/include/panamax_cuda_functions.h
 * jextract --output src/main/java --target-package dev.panamax.backend.cuda.ffi.generated.cublas \
 *   --header-class-name cublas_h -I /opt/cublas/nvidia/cu13/include -I /usr/local/cuda-13.0/include \
 *   --include-struct cublas_functions \
 *   --include-constant CUBLAS_STATUS_SUCCESS --include-constant CUBLAS_OP_N --include-constant CUBLAS_OP_T \
 *   --include-constant CUBLAS_DEFAULT_MATH \
 *   native/include/panamax_cublas_functions.h
 * }</pre>
 */
package dev.panamax.backend.cuda.ffi;
