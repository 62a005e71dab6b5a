/*
 * panamax_cblas.h — names the CBLAS and OpenBLAS functions Panamax calls, for jextract
 * (scripts/jextract-bindings generates dev.panamax.backend.blas.ffi.generated from this file).
 *
 * It declares no signature of its own: each member takes its type from OpenBLAS's <cblas.h>
 * (Debian: libopenblas-dev) with __typeof__, so the generated descriptors are that header's, and
 * <cblas.h> is the one source of truth for them. Integers there are blasint, which
 * openblas_config.h makes int unless OPENBLAS_USE64BITINT is defined: LP64, the build of Debian's
 * libopenblas0-pthread and of the org.bytedeco:openblas natives. An ILP64 build (INTERFACE64=1,
 * usually libopenblas64_) would change every size to long, and the test of the generated bindings
 * would fail on it.
 *
 * The functions are members of a struct, not declared as functions, because jextract's class for a
 * function looks the symbol up when the class initializes, in the libraries System.load() gave the
 * class loader; its class for a function pointer takes the address at each call. Panamax finds the
 * addresses itself, in the library file it chose at run time (dev.panamax.backend.blas.BlasLibrary),
 * and links them with its own options; it uses only the generated descriptors. The struct is never
 * allocated. (A typedef would do as well, but jextract 23 stops on the expression inside a typedef's
 * __typeof__.)
 *
 * Order: the five functions every CBLAS library has, then the optional ones (cblas_snrm2, and
 * OpenBLAS's own extensions, which other CBLAS libraries lack): Cblas.REQUIRED_SYMBOLS, then
 * Cblas.OPTIONAL_SYMBOLS, which a test checks against the generated struct.
 */
#ifndef PANAMAX_CBLAS_H
#define PANAMAX_CBLAS_H

#include <cblas.h>

struct cblas_functions {
    __typeof__(cblas_sgemm) *cblas_sgemm;
    __typeof__(cblas_sgemv) *cblas_sgemv;
    __typeof__(cblas_saxpy) *cblas_saxpy;
    __typeof__(cblas_sscal) *cblas_sscal;
    __typeof__(cblas_sdot) *cblas_sdot;

    __typeof__(cblas_snrm2) *cblas_snrm2;
    __typeof__(openblas_set_num_threads) *openblas_set_num_threads;
    __typeof__(openblas_get_num_threads) *openblas_get_num_threads;
    __typeof__(openblas_get_corename) *openblas_get_corename;
    __typeof__(openblas_get_config) *openblas_get_config;
};

#endif /* PANAMAX_CBLAS_H */
