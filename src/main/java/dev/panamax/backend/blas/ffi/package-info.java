/**
 * Foreign Function &amp; Memory bindings for the CBLAS / OpenBLAS functions Panamax uses:
 * {@link dev.panamax.backend.blas.ffi.Cblas}, the typed layer, over {@code generated}, jextract's output
 * for {@code native/include/panamax_cblas.h}. That header only names the functions; their signatures,
 * and the values of {@code CblasRowMajor}, {@code CblasNoTrans} and {@code CblasTrans}, come from
 * OpenBLAS's own {@code cblas.h} (Debian: libopenblas-dev), the source of truth. How and why the bindings
 * are generated, and with which jextract: the package doc of {@code dev.panamax.backend.ffi}.
 *
 * <p>Integers are {@code blasint}, which that header's {@code openblas_config.h} makes {@code int}
 * unless {@code OPENBLAS_USE64BITINT} is defined: Debian's libopenblas0-pthread and the
 * org.bytedeco:openblas natives are such LP64 builds. An ILP64 build would need bindings generated from
 * its own header, with 64-bit sizes throughout.
 *
 * <p>The command, which {@code scripts/jextract-bindings cblas} runs ({@code -I}: the folder of OpenBLAS's
 * {@code cblas.h}, {@code $OPENBLAS_INCLUDE}, by default Debian's multiarch include folder):
 * <pre>{@code
 * jextract --output src/main/java --target-package dev.panamax.backend.blas.ffi.generated --header-class-name cblas_h \
 *   -I /usr/include/x86_64-linux-gnu --include-struct cblas_functions \
 *   --include-constant CblasRowMajor --include-constant CblasNoTrans --include-constant CblasTrans \
 *   native/include/panamax_cblas.h
 * }</pre>
 */
package dev.panamax.backend.blas.ffi;
