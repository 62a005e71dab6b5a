/*
 * fake_cuda.cpp: a CPU stand-in for the CUDA driver (libcuda.so.1) and cuBLAS (libcublas.so.13), for
 * tests on machines without a GPU. It implements exactly the functions Panamax binds (those
 * native/include/panamax_cuda_functions.h and panamax_cublas_functions.h name), with the signatures of
 * <cuda.h> and <cublas_v2.h> as the generated descriptors pass them:
 *
 *  - memory: device, managed and host memory are all plain host memory, so copies are memcpy and
 *    memsets are loops, and the Java side can read "device" memory to check results;
 *  - streams run nothing asynchronously: every call completes at once;
 *  - kernels are Panamax's own, native/cuda/kernels.cu, compiled here for the CPU (included below with
 *    the few CUDA built-ins it uses defined on the host): a launch runs every thread of the grid in
 *    turn, with WARP 1 (see kernels.cu). Each kernel is called through its real declaration, its
 *    parameters read from the launch's argument array by their declared types, so the Java side's
 *    argument packing is checked against the kernels' signatures;
 *  - cublasSgemm_v2 is a real column-major SGEMM (naive loops, float accumulation).
 *
 * Every call is counted; fake_count(name) reads a counter, fake_fail_synchronize(1) makes
 * cuStreamSynchronize fail from then on with CUDA_ERROR_ILLEGAL_ADDRESS, as a faulted kernel's sticky
 * error would; fake_set_compute_capability(major, minor) changes the device's (9.0 by default);
 * fake_sgemm_drop_last_step(1) makes the SGEMM wrong. Built by the test with: c++ -std=c++17 -shared -fPIC -nostdlib -ffp-contract=off
 * -fno-math-errno (no system headers needed: the libc and libm functions used are declared below and
 * resolved from the process, or from libm.so.6 given on the command line).
 */
typedef unsigned long size_t;
typedef int CUresult;
typedef unsigned long long CUdeviceptr;

extern "C" {
void *malloc(size_t);
void free(void *);
void *memcpy(void *, const void *, size_t);
int posix_memalign(void **, size_t, size_t);
int strcmp(const char *, const char *);
size_t strlen(const char *);
double exp(double);
double log(double);
double tanh(double);
float fmaf(float, float, float);
}

/* ------------------------------------------------------------------ kernels.cu on the CPU */

#define WARP 1
#define __global__
#define __device__
#define __forceinline__ inline
#define INFINITY __builtin_inf()
#define isinf(v) __builtin_isinf(v)
#define truncf(v) __builtin_truncf(v)

struct Dim3 {
    unsigned int x;
};
static Dim3 blockIdx, threadIdx, blockDim, gridDim;

// -ffp-contract=off keeps these single roundings; __fmaf_rn is the one fused operation
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return __builtin_sqrtf(a); }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline int __float_as_int(float f) { int i; __builtin_memcpy(&i, &f, 4); return i; }
static inline double __longlong_as_double(long long v) { double d; __builtin_memcpy(&d, &v, 8); return d; }
// with WARP 1 the shuffle loops never run; __shfl_sync(..., 0) of a one-lane warp is the value itself
template <typename T> static inline T __shfl_down_sync(unsigned, T v, int) { return v; }
template <typename T> static inline T __shfl_sync(unsigned, T v, int) { return v; }
// threads run one at a time here
static inline float atomicAdd(float *p, float v) { float old = *p; *p = old + v; return old; }

#include "../../../native/cuda/kernels.cu"

template <int... I> struct Seq {};
template <int N, int... I> struct MakeSeq : MakeSeq<N - 1, N - 1, I...> {};
template <int... I> struct MakeSeq<0, I...> { using type = Seq<I...>; };

// parameter i of the kernel read from the i-th pointer of the launch's argument array, as its declared type
template <typename... A, int... I> static void call(void (*kernel)(A...), void **params, Seq<I...>) {
    kernel(*static_cast<A *>(params[I])...);
}

template <typename... A> static void run(void (*kernel)(A...), void **params, unsigned grid, unsigned block) {
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = 0; b < grid; b++) {
        blockIdx.x = b;
        for (unsigned t = 0; t < block; t++) {
            threadIdx.x = t;
            call(kernel, params, typename MakeSeq<sizeof...(A)>::type{});
        }
    }
}

struct Kernel {
    const char *name;
    void (*launch)(void **params, unsigned grid, unsigned block);
};

#define KERNEL(k) {#k, [](void **p, unsigned g, unsigned b) { run(k, p, g, b); }}
static const Kernel kernel_table[] = {
    KERNEL(bias_activation), KERNEL(activation_backward), KERNEL(axpy), KERNEL(scale), KERNEL(column_sums),
    KERNEL(softmax_rows), KERNEL(log_softmax_rows), KERNEL(softmax_cross_entropy), KERNEL(mean_of_rows),
    KERNEL(count_correct), KERNEL(sgd_step), KERNEL(adagrad_step), KERNEL(adadelta_step), KERNEL(rmsprop_step),
    KERNEL(adam_step),
};

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

extern "C" {

long long fake_count(const char *name) {
    for (int i = 0; i < COUNTERS; i++) {
        if (strcmp(name, names[i]) == 0) return counts[i];
    }
    return -1;
}

void fake_fail_synchronize(int on) { fail_sync = on; }

static int compute_major = 9, compute_minor = 0;
void fake_set_compute_capability(int major, int minor) { compute_major = major; compute_minor = minor; }

static int sgemm_drops_last_step;
/* cublasSgemm_v2 leaves out the last of its k products from then on: a wrong GEMM, for the self-check */
void fake_sgemm_drop_last_step(int on) { sgemm_drops_last_step = on; }

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
        case 75: *value = compute_major; break; /* compute capability, 9.0 unless a test sets another */
        case 76: *value = compute_minor; break;
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

/* the function handle is the kernel's entry in the table */
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
    (void) module;
    for (const Kernel &k : kernel_table) {
        if (strcmp(k.name, name) == 0) {
            *function = (void *) &k;
            return OK;
        }
    }
    return 500; /* CUDA_ERROR_NOT_FOUND */
}

CUresult cuLaunchKernel(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                        unsigned int by, unsigned int bz, unsigned int shared, void *stream, void **params,
                        void **extra) {
    (void) gy; (void) gz; (void) by; (void) bz; (void) shared; (void) stream; (void) extra;
    if (gx == 0 || bx == 0 || bx > 1024 || params == 0) return INVALID_VALUE;
    const Kernel *k = (const Kernel *) f;
    size_t n = strlen(k->name);
    if (n > 63) n = 63;
    memcpy(last_kernel, k->name, n);
    last_kernel[n] = 0;
    counts[LAUNCH]++;
    k->launch(params, gx, bx);
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
            for (int p = 0; p < k - (sgemm_drops_last_step && k > 0 ? 1 : 0); p++) {
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

} /* extern "C" */
