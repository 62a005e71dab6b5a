/**
 * Foreign Function &amp; Memory bindings for the CBLAS / OpenBLAS subset Panamax uses.
 *
 * <p>The bindings mirror two header subsets kept in the repository:
 * {@code native/include/panamax_cblas.h} ({@link dev.panamax.backend.blas.ffi.Cblas}) and
 * {@code native/include/panamax_dlfcn.h} ({@link dev.panamax.backend.ffi.Dlfcn}, shared with the cuda
 * backend, in {@code backend/ffi}).
 * They are written by hand (plain {@code Linker.nativeLinker()} downcall handles, bound from a
 * {@code SymbolLookup} the caller chose) because the library is resolved at run time from a
 * property, the system or a bundled jar; jextract's generated classes bind to one library named
 * at generation time.
 *
 * <p>To regenerate a jextract version for comparison, where jextract is installed (run from the
 * repository root; the output goes to a scratch folder, not into the sources):
 * <pre>{@code
 * jextract --output /tmp/panamax-jextract \
 *   --target-package dev.panamax.backend.blas.ffi.generated \
 *   --library :libopenblas.so.0 \
 *   --include-function cblas_sgemm --include-function cblas_sgemv \
 *   --include-function cblas_saxpy --include-function cblas_sscal --include-function cblas_sdot \
 *   --include-function openblas_set_num_threads --include-function openblas_get_num_threads \
 *   --include-function openblas_get_corename --include-function openblas_get_config \
 *   --include-constant CblasRowMajor --include-constant CblasNoTrans --include-constant CblasTrans \
 *   native/include/panamax_cblas.h
 * jextract --output /tmp/panamax-jextract \
 *   --target-package dev.panamax.backend.blas.ffi.generated.dl \
 *   --include-function dladdr --include-function dlopen --include-function dlerror \
 *   --include-function dlclose --include-typedef Dl_info --include-constant RTLD_LAZY \
 *   native/include/panamax_dlfcn.h
 * }</pre>
 * Then compare each generated {@code FunctionDescriptor} with the one in {@code Cblas} / {@code Dlfcn}:
 * a changed header must change both the same way.
 */
package dev.panamax.backend.blas.ffi;
