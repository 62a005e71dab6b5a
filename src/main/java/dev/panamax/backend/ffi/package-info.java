/**
 * What every FFM binding of Panamax shares ({@code backend/blas/ffi}, {@code backend/cuda/ffi}): the
 * native linker, the all-names-first symbol check and its exception, the unwrapping of what a
 * downcall handle may throw, and the dynamic linker's diagnostics ({@link dev.panamax.backend.ffi.Dlfcn}:
 * which file a library was loaded from, why one does not open).
 *
 * <h2>Generated bindings</h2>
 *
 * The descriptors, struct layouts and constants of the bindings are jextract's, generated from the
 * libraries' own C headers and committed unmodified in internal packages named {@code generated}
 * (jextract's guide: run it once, add the sources to the project, run it again when the library or
 * jextract changes). Over each sits a thin typed layer of ours ({@code Cblas}, {@code CudaDriver},
 * {@code Cublas}, {@link dev.panamax.backend.ffi.Dlfcn}) that finds every function in the library Panamax chose at run time,
 * links it with the descriptor jextract generated and with its own options ({@code critical(true)} for
 * heap arrays), and turns a missing function into a {@link dev.panamax.backend.ffi.MissingSymbolsException}
 * naming the library and every function it lacks, or into an absent optional feature.
 *
 * <p>The functions are generated as members of a struct of function pointers, not as functions.
 * jextract's class for a function looks the symbol up in its static initializer, in the libraries that
 * {@code System.load} gave the class loader (or in one library named at generation time with
 * {@code --library}), which fits none of Panamax's cases: the file is chosen at run time and several
 * candidates may be loaded in one JVM; a function the library lacks would fail the initializer (an
 * {@code ExceptionInInitializerError}, the class unusable afterwards); and a second class loader with
 * Panamax in it (two applications in one server) cannot {@code System.load} a file the first loaded.
 * jextract's class for a function pointer holds only the descriptor and looks nothing up. So each header
 * in {@code native/include} lists the functions as struct members typed with {@code __typeof__} from the
 * real header: the real header stays the one source of truth for every signature, and the struct is
 * never allocated.
 *
 * <p>{@code scripts/jextract-bindings} regenerates every package ({@code --check} compares instead);
 * it takes jextract from {@code $JEXTRACT} or {@code PATH}. The committed files were made with jextract
 * built from openjdk/jextract commit f9866df3a178baa2e4a3746a7a6e458d783ace92 (master, build.gradle's
 * version 23), run on JDK 25.0.3 with libclang 15.0.6, over Debian 12's headers: glibc 2.36's
 * {@code <dlfcn.h>} and libopenblas-dev 0.3.21's {@code <cblas.h>}; the CUDA ones over CUDA 13.0's
 * {@code <cuda.h>} and cuBLAS 13.1.1's {@code <cublas_v2.h>} (the package doc of
 * {@code backend.cuda.ffi} has their commands). The command for this package's
 * {@code generated} ({@code Dl_info}, {@code RTLD_LAZY} and the descriptors of {@code dladdr},
 * {@code dlopen}, {@code dlerror} and {@code dlclose}):
 * <pre>{@code
 * jextract --output src/main/java --target-package dev.panamax.backend.ffi.generated --header-class-name dlfcn_h \
 *   --include-struct dlfcn_functions --include-typedef Dl_info --include-constant RTLD_LAZY \
 *   native/include/panamax_dlfcn.h
 * }</pre>
 */
package dev.panamax.backend.ffi;
