/**
 * Foreign Function &amp; Memory bindings for the CUDA driver API and cuBLAS subsets Panamax uses.
 *
 * <p>They are still written by hand and mirror two header subsets kept in the repository:
 * {@code native/include/panamax_cuda.h} ({@link dev.panamax.backend.cuda.ffi.CudaDriver}) and
 * {@code native/include/panamax_cublas.h} ({@link dev.panamax.backend.cuda.ffi.Cublas}). Each header
 * declares the exported symbol names ({@code cuMemAlloc_v2}, {@code cublasSgemm_v2}...) that the
 * vendor headers' {@code #define}s map the public names to, because FFM looks symbols up by their
 * exported name. They are bound from a {@code SymbolLookup} of a library found at run time (see
 * {@code CudaLibraries}).
 *
 * <p>They are to be generated the way the CBLAS bindings are (the package doc of
 * {@code dev.panamax.backend.ffi} says how and why): {@code native/include/panamax_cuda_functions.h} and
 * {@code panamax_cublas_functions.h} name the functions over the CUDA toolkit's {@code <cuda.h>} and
 * {@code <cublas_v2.h>}, and {@code scripts/jextract-bindings cuda} generates
 * {@code dev.panamax.backend.cuda.ffi.generated.driver} and {@code ...generated.cublas} from them where it
 * finds those headers ({@code $CUDA_HOME/include}, else {@code /usr/local/cuda/include}). Not done yet:
 * the machine these bindings were last worked on has no CUDA toolkit. Once generated, CudaDriver and
 * Cublas take their descriptors and constants from the generated classes, and the two hand-kept
 * subsets go.
 */
package dev.panamax.backend.cuda.ffi;
