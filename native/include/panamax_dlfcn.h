/*
 * panamax_dlfcn.h — names the dynamic linker calls Panamax makes, for jextract
 * (scripts/jextract-bindings generates dev.panamax.backend.ffi.generated from this file), used by
 * dev.panamax.backend.ffi.Dlfcn for diagnostics: which file a loaded symbol lives in, so that a
 * library opened by SONAME is reported by its real path, and the dynamic linker's own reason when a
 * library does not open.
 *
 * As in panamax_cblas.h, the members take their types from the C library's <dlfcn.h> with
 * __typeof__, and Dlfcn finds the functions itself (in the JDK's default lookup, where a C library
 * without them leaves them absent instead of failing a class initializer). Dl_info and RTLD_LAZY are
 * generated from <dlfcn.h> directly.
 */
#ifndef PANAMAX_DLFCN_H
#define PANAMAX_DLFCN_H

/* glibc declares dladdr and Dl_info only for _GNU_SOURCE. */
#define _GNU_SOURCE
#include <dlfcn.h>

struct dlfcn_functions {
    __typeof__(dladdr) *dladdr;
    __typeof__(dlopen) *dlopen;
    __typeof__(dlerror) *dlerror;
    __typeof__(dlclose) *dlclose;
};

#endif /* PANAMAX_DLFCN_H */
