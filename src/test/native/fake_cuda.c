/*
 * fake_cuda.c: a CPU stand-in for the CUDA driver (libcuda.so.1) and cuBLAS (libcublas.so.13), for
 * tests on machines without a GPU. It implements exactly the functions Panamax binds
 * (native/include/panamax_cuda.h, panamax_cublas.h), with the same signatures:
 *
 *  - memory: device, managed and host memory are all plain host memory, so copies are memcpy and
 *    memsets are loops, and the Java side can read "device" memory to check results;
 *  - streams run nothing asynchronously: every call completes at once;
 *  - kernels are NOT executed: cuLaunchKernel only counts (and remembers the function's name), so
 *    elementwise results are meaningless here; what is tested is the Java side around them;
 *  - cublasSgemm_v2 is a real column-major SGEMM (naive loops, float accumulation), so the backend's
 *    row-major mapping is checked for real.
 *
 * Every call is counted; fake_count(name) reads a counter, fake_fail_synchronize(1) makes
 * cuStreamSynchronize fail from then on with CUDA_ERROR_ILLEGAL_ADDRESS, as a faulted kernel's sticky
 * error would. Built by the test with: cc -shared -fPIC -nostdlib (no libc headers needed: the few
 * libc functions used are declared below and resolved from the JVM's own libc when loaded).
 */
typedef unsigned long size_t;
typedef int CUresult;
typedef unsigned long long CUdeviceptr;

void *malloc(size_t);
void free(void *);
void *memcpy(void *, const void *, size_t);
int posix_memalign(void **, size_t, size_t);
int strcmp(const char *, const char *);
size_t strlen(const char *);

#define OK 0
#define INVALID_VALUE 1
#define ILLEGAL_ADDRESS 700

/* ------------------------------------------------------------------ counters */

enum { ALLOC, MANAGED, FREE, LIVE, HTOD, DTOH, DTOD, MEMSET, SYNC, LAUNCH, RETAIN, RELEASE, CONTEXT,
       SGEMM, STREAMS, MODULES, COUNTERS };
static const char *names[COUNTERS] = {"alloc", "managed", "free", "live", "htod", "dtoh", "dtod", "memset",
                                      "sync", "launch", "retain", "release", "context", "sgemm", "streams",
                                      "modules"};
static long long counts[COUNTERS];
static int fail_sync;
static char last_kernel[64];

long long fake_count(const char *name) {
    for (int i = 0; i < COUNTERS; i++) {
        if (strcmp(name, names[i]) == 0) return counts[i];
    }
    return -1;
}

void fake_fail_synchronize(int on) { fail_sync = on; }

const char *fake_last_kernel(void) { return last_kernel; }

/* ------------------------------------------------------------------ driver: errors, devices */

CUresult cuGetErrorName(CUresult error, const char **p) {
    *p = error == OK ? "CUDA_SUCCESS" : error == ILLEGAL_ADDRESS ? "CUDA_ERROR_ILLEGAL_ADDRESS" : "CUDA_ERROR_FAKE";
    return OK;
}

CUresult cuGetErrorString(CUresult error, const char **p) {
    *p = error == ILLEGAL_ADDRESS ? "an illegal memory access was encountered (fake)" : "fake driver error";
    return OK;
}

CUresult cuInit(unsigned int flags) { (void) flags; return OK; }
CUresult cuDriverGetVersion(int *v) { *v = 12080; return OK; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return OK; }
CUresult cuDeviceGet(int *device, int ordinal) { *device = ordinal; return ordinal == 0 ? OK : INVALID_VALUE; }

CUresult cuDeviceGetName(char *name, int len, int device) {
    const char *fake = "Fake GPU (CPU stand-in)";
    (void) device;
    int n = (int) strlen(fake);
    if (n >= len) n = len - 1;
    memcpy(name, fake, (size_t) n);
    name[n] = 0;
    return OK;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
    (void) device;
    switch (attribute) {
        case 16: *value = 132; break;           /* multiprocessors */
        case 75: *value = 9; break;             /* compute capability 9.0 */
        case 76: *value = 0; break;
        case 83: *value = 1; break;             /* managed memory */
        case 89: *value = 1; break;             /* concurrent managed access */
        default: *value = 0;
    }
    return OK;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, int device) { (void) device; *bytes = 1UL << 34; return OK; }

static int context_token;

CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
    (void) device;
    counts[RETAIN]++;
    counts[CONTEXT]++;
    *ctx = &context_token;
    return OK;
}

CUresult cuDevicePrimaryCtxRelease_v2(int device) {
    (void) device;
    counts[RELEASE]++;
    counts[CONTEXT]--;
    return counts[CONTEXT] >= 0 ? OK : INVALID_VALUE;
}

CUresult cuCtxSetCurrent(void *ctx) { return ctx == &context_token ? OK : INVALID_VALUE; }

/* ------------------------------------------------------------------ memory */

static CUresult allocate(CUdeviceptr *p, size_t bytes, int counter) {
    void *m = 0;
    if (bytes == 0 || posix_memalign(&m, 256, bytes) != 0) return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    *p = (CUdeviceptr) m;
    counts[counter]++;
    counts[LIVE]++;
    return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) { return allocate(p, bytes, ALLOC); }

CUresult cuMemAllocManaged(CUdeviceptr *p, size_t bytes, unsigned int flags) {
    return flags == 1 ? allocate(p, bytes, MANAGED) : INVALID_VALUE;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
    if (p == 0) return INVALID_VALUE;
    free((void *) p);
    counts[FREE]++;
    counts[LIVE]--;
    return OK;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) { counts[HTOD]++; memcpy((void *) dst, src, n); return OK; }
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) { counts[DTOH]++; memcpy(dst, (void *) src, n); return OK; }

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *stream) {
    (void) stream;
    counts[HTOD]++;
    memcpy((void *) dst, src, n);
    return OK;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *stream) {
    (void) stream;
    counts[DTOH]++;
    memcpy(dst, (void *) src, n);
    return OK;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *stream) {
    (void) stream;
    counts[DTOD]++;
    memcpy((void *) dst, (void *) src, n);
    return OK;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, void *stream) {
    (void) stream;
    counts[MEMSET]++;
    unsigned int *p = (unsigned int *) dst;
    for (size_t i = 0; i < n; i++) p[i] = value;
    return OK;
}

/* ------------------------------------------------------------------ streams, events */

CUresult cuStreamCreate(void **stream, unsigned int flags) {
    (void) flags;
    *stream = malloc(16);
    counts[STREAMS]++;
    return OK;
}

CUresult cuStreamDestroy_v2(void *stream) { free(stream); counts[STREAMS]--; return OK; }

CUresult cuStreamSynchronize(void *stream) {
    (void) stream;
    counts[SYNC]++;
    return fail_sync ? ILLEGAL_ADDRESS : OK;
}

CUresult cuEventCreate(void **event, unsigned int flags) { (void) flags; *event = malloc(16); return OK; }
CUresult cuEventDestroy_v2(void *event) { free(event); return OK; }
CUresult cuEventRecord(void *event, void *stream) { (void) event; (void) stream; return OK; }
CUresult cuEventSynchronize(void *event) { (void) event; return OK; }
CUresult cuEventElapsedTime(float *ms, void *start, void *end) { (void) start; (void) end; *ms = 1.0f; return OK; }

/* ------------------------------------------------------------------ modules, launches */

CUresult cuModuleLoadData(void **module, const void *image) {
    const char *ptx = (const char *) image;
    if (ptx == 0 || ptx[0] == 0) return 218; /* CUDA_ERROR_INVALID_PTX */
    *module = malloc(16);
    counts[MODULES]++;
    return OK;
}

CUresult cuModuleUnload(void *module) { free(module); counts[MODULES]--; return OK; }

/* the function handle is a copy of its name, so a launch knows what it would have run */
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
    (void) module;
    size_t n = strlen(name);
    char *copy = malloc(n + 1);
    memcpy(copy, name, n + 1);
    *function = copy;
    return OK;
}

CUresult cuLaunchKernel(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                        unsigned int by, unsigned int bz, unsigned int shared, void *stream, void **params,
                        void **extra) {
    (void) gy; (void) gz; (void) by; (void) bz; (void) shared; (void) stream; (void) extra;
    if (gx == 0 || bx == 0 || params == 0) return INVALID_VALUE;
    const char *name = (const char *) f;
    size_t n = strlen(name);
    if (n > 63) n = 63;
    memcpy(last_kernel, name, n);
    last_kernel[n] = 0;
    counts[LAUNCH]++;
    return OK;
}

/* ------------------------------------------------------------------ cuBLAS */

static int handle_token;

int cublasCreate_v2(void **handle) { *handle = &handle_token; return 0; }
int cublasDestroy_v2(void *handle) { return handle == &handle_token ? 0 : 1; }
int cublasGetVersion_v2(void *handle, int *version) { (void) handle; *version = 130000; return 0; }
int cublasSetStream_v2(void *handle, void *stream) { (void) handle; (void) stream; return 0; }
int cublasSetMathMode(void *handle, int mode) { (void) handle; return mode == 0 ? 0 : 7; }

/* column-major C (m,n) = alpha op(A) op(B) + beta C; beta == 0 does not read C (as cuBLAS) */
int cublasSgemm_v2(void *handle, int transa, int transb, int m, int n, int k, const float *alpha,
                   const float *a, int lda, const float *b, int ldb, const float *beta, float *c, int ldc) {
    (void) handle;
    counts[SGEMM]++;
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            float sum = 0.0f;
            for (int p = 0; p < k; p++) {
                float av = transa ? a[p + (long) i * lda] : a[i + (long) p * lda];
                float bv = transb ? b[j + (long) p * ldb] : b[p + (long) j * ldb];
                sum += av * bv;
            }
            float *out = c + i + (long) j * ldc;
            *out = *beta == 0.0f ? *alpha * sum : *alpha * sum + *beta * *out;
        }
    }
    return 0;
}
