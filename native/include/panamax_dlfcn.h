/*
 * panamax_dlfcn.h — the subset of glibc's <dlfcn.h> that Panamax binds with FFM
 * (dev.panamax.backend.ffi.Dlfcn), for diagnostics: which file a loaded symbol lives in,
 * so that a library opened by SONAME is reported by its real path, and the dynamic linker's own
 * reason when a library does not open.
 */
#ifndef PANAMAX_DLFCN_H
#define PANAMAX_DLFCN_H

#define RTLD_LAZY 0x00001 /* glibc's value (bits/dlfcn.h) */

typedef struct {
    const char *dli_fname; /* path of the shared object containing the address */
    void *dli_fbase;       /* base address at which that object is loaded */
    const char *dli_sname; /* name of the nearest symbol at or below the address */
    void *dli_saddr;       /* exact address of that symbol */
} Dl_info;

/* Returns non-zero on success; 0 when the address is in no loaded object. */
int dladdr(const void *addr, Dl_info *info);

/* Returns a handle, or NULL with the reason available from dlerror(). */
void *dlopen(const char *filename, int flags);
char *dlerror(void);
int dlclose(void *handle);

#endif /* PANAMAX_DLFCN_H */
