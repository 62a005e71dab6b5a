/**
 * Foreign Function &amp; Memory bindings for the CUDA driver API and cuBLAS subsets Panamax uses.
 *
 * <p>The bindings mirror two header subsets kept in the repository:
 * {@code native/include/panamax_cuda.h} ({@link dev.panamax.backend.cuda.ffi.CudaDriver}) and
 * {@code native/include/panamax_cublas.h} ({@link dev.panamax.backend.cuda.ffi.Cublas}). Each header
 * declares the exported symbol names ({@code cuMemAlloc_v2}, {@code cublasSgemm_v2}...) that the
 * vendor headers' {@code #define}s map the public names to, because FFM looks symbols up by their
 * exported name. They are written by hand, bound from a {@code SymbolLookup} of a library found at
 * run time (see {@code CudaLibraries}); jextract's generated classes bind to one library named at
 * generation time.
 *
 * <p>To regenerate a jextract version for comparison, where jextract is installed (run from the
 * repository root; output to a scratch folder, not into the sources):
 * <pre>{@code
 * jextract --output /tmp/panamax-jextract --target-package dev.panamax.backend.cuda.ffi.generated \
 *   --library :libcuda.so.1 --include-function cuInit --include-function cuMemAlloc_v2 ... \
 *   native/include/panamax_cuda.h
 * jextract --output /tmp/panamax-jextract --target-package dev.panamax.backend.cuda.ffi.generated.blas \
 *   --library :libcublas.so.13 --include-function cublasSgemm_v2 ... native/include/panamax_cublas.h
 * }</pre>
 * listing every function of {@link dev.panamax.backend.cuda.ffi.CudaDriver#REQUIRED_SYMBOLS} and
 * {@link dev.panamax.backend.cuda.ffi.Cublas#REQUIRED_SYMBOLS}; then compare each generated
 * {@code FunctionDescriptor} with the hand-written one: a changed header must change both the same way.
 */
package dev.panamax.backend.cuda.ffi;
