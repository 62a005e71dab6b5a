package dev.panamax.backend.cuda;

import dev.panamax.backend.AcceleratedUpdate;
import dev.panamax.backend.Activation;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BackendUnavailableException;
import dev.panamax.backend.UpdateKernel;
import dev.panamax.backend.UpdateRule;
import dev.panamax.backend.cuda.ffi.Cublas;
import dev.panamax.backend.cuda.ffi.CudaDriver;
import dev.panamax.backend.cuda.ffi.CudaException;
import dev.panamax.backend.scalar.ScalarBackend;
import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * GEMM through cuBLAS and every elementwise kernel in CUDA ({@code native/cuda/kernels.cu}), on one
 * NVIDIA GPU, bound with FFM ({@link dev.panamax.backend.cuda.ffi}).
 *
 * <p><b>Two kinds of tensor.</b>
 * <ul>
 *   <li><b>Resident</b>: tensors from {@link #allocate} live in unified memory
 *       ({@code cuMemAllocManaged}) that the GPU uses in place. Calls on them are queued on one
 *       stream and return at once ({@link #asynchronous()} is true); the host reads or writes them
 *       after {@link #synchronize()}. Models, graphs, optimizer state and batch inputs built through a
 *       {@code Compute} over this backend are resident, so a training step uploads its batch once,
 *       queues its kernels and waits once, at its end, to read the loss.</li>
 *   <li><b>Host</b>: any other tensor ({@link Tensor#allocate}). Each call copies host inputs to a
 *       device mirror ({@link DeviceBuffers}), and when it writes a host tensor it copies the result
 *       back and waits before returning, so host tensors never need {@code synchronize()}. Correct
 *       everywhere, and bounded by PCIe: the mode of a program that never asks the backend for memory.</li>
 * </ul>
 * Unified memory needs a GPU with concurrent managed access (every Pascal or newer GPU on Linux);
 * without it, or with {@code -D}{@value #UNIFIED_PROPERTY}{@code =false}, {@link #allocate} returns host
 * tensors and every call is synchronous.
 *
 * <p>Lifetime: a resident tensor is freed when its owner arena closes (the free waits for queued work
 * first). Closing the backend while resident tensors are alive keeps the CUDA context until the last
 * is freed, so their memory stays readable and nothing crashes.
 *
 * <p>Calls are serialised ({@code synchronized}) and make the backend's context current on the calling
 * thread first, so any thread may use it. Numerics: elementwise kernels round exactly as the scalar
 * reference does (fma only where Backend's formulas say so; transcendentals and reductions in double),
 * cuBLAS runs in {@code CUBLAS_DEFAULT_MATH} (full fp32, no TF32).
 */
public final class CudaBackend implements Backend {
    /** System property: which GPU (ordinal, default 0). */
    public static final String DEVICE_PROPERTY = "panamax.cuda.device";
    /** System property: device bytes the buffer cache may hold before it is emptied (default: half the GPU). */
    public static final String CACHE_PROPERTY = "panamax.cuda.cacheBytes";
    /** System property: {@code false} makes {@link #allocate} return host tensors (every call copies and waits). */
    public static final String UNIFIED_PROPERTY = "panamax.cuda.unified";

    private static final ScalarBackend REFERENCE = new ScalarBackend();

    private final CudaDriver cu;
    private final Cublas cublas;
    private final int device;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final MemorySegment handle;
    private final CudaKernels kernels;
    private final DeviceBuffers buffers;
    private final Arena hostArena = Arena.ofShared();
    private final MemorySegment alpha;
    private final MemorySegment beta;
    private final String description;
    private MemorySegment lossHost;
    private boolean closed;
    /** True when {@link #allocate} hands out unified memory (the device supports concurrent managed access). */
    private final boolean unified;
    /** The unified-memory allocations alive now: a tensor inside one is used in place. */
    private final AddressRanges resident = new AddressRanges();
    private int liveResident;
    /** Set when the current call queued a copy into a host tensor: it must wait before returning. */
    private boolean hostOutput;
    /** Device doubles for the per-row losses of {@link #softmaxCrossEntropyMean}, grown as needed. */
    private long rowLoss;
    private long rowLossCapacity;
    private long synchronizations;
    /** A failure met where nothing may throw (an arena cleanup); reported by the next synchronize(). */
    private RuntimeException deferredError;

    /**
     * Finds the libraries ({@link CudaLibraries}), initialises the driver on the GPU named by
     * {@code -Dpanamax.cuda.device} (default 0), and loads the kernels.
     *
     * @param threads ignored: the GPU does the work (accepted for the registry's uniform constructor)
     * @throws BackendUnavailableException why not (no driver library, no device, no cuBLAS, kernels
     *                                     that do not load) and what to install or set
     */
    public CudaBackend(int threads) {
        this(CudaLibraries.defaultFolders(), Integer.getInteger(DEVICE_PROPERTY, 0),
                !"false".equals(System.getProperty(UNIFIED_PROPERTY)));
    }

    /** {@code unifiedWanted == false}: host tensors only, every call copies and waits (for comparisons). */
    public CudaBackend(List<Path> folders, int ordinal, boolean unifiedWanted) {
        CudaLibraries.Loaded<CudaDriver> driver = CudaLibraries.loadDriver(folders);
        cu = driver.bindings();
        try {
            cu.init();
        } catch (CudaException e) {
            throw new BackendUnavailableException("the CUDA driver " + driver.path() + " finds no usable GPU ("
                    + e.getMessage() + "); check nvidia-smi, the driver install and CUDA_VISIBLE_DEVICES", e);
        }
        int count = cu.deviceCount();
        if (count == 0) {
            throw new BackendUnavailableException("no CUDA device (the driver " + driver.path() + " sees none); "
                    + "check nvidia-smi and CUDA_VISIBLE_DEVICES");
        }
        if (ordinal < 0 || ordinal >= count) {
            throw new BackendUnavailableException("-D" + DEVICE_PROPERTY + "=" + ordinal + " names no device: "
                    + count + " present (ordinals 0.." + (count - 1) + ")");
        }
        device = cu.device(ordinal);
        int major = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        int minor = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        if (major * 10 + minor < CudaKernels.MIN_COMPUTE_CAPABILITY) {
            throw new BackendUnavailableException(cu.deviceName(device) + " (device " + ordinal + ") is sm_" + major + minor
                    + "; Panamax's kernels are PTX for compute capability " + CudaKernels.MIN_COMPUTE_CAPABILITY / 10 + "."
                    + CudaKernels.MIN_COMPUTE_CAPABILITY % 10 + " (Turing) and newer, the oldest nvcc 13 builds for;"
                    + " use --backend blas or simd on this machine");
        }
        CudaLibraries.Loaded<Cublas> blas = CudaLibraries.loadCublas(folders);
        context = cu.primaryContextRetain(device);
        CudaKernels loadedKernels = null;
        MemorySegment createdStream = null;
        MemorySegment createdHandle = null;
        try {
            cu.setCurrent(context);
            try {
                loadedKernels = new CudaKernels(cu);
            } catch (CudaException e) {
                throw new BackendUnavailableException("the CUDA driver (version " + version(cu.driverVersion())
                        + ") cannot load Panamax's kernels (" + e.getMessage() + "); their PTX (ISA 6.3, compute capability "
                        + "7.5 and up) loads under drivers from CUDA 10.0 on, and this backend needs a CUDA 12 driver (R525+) "
                        + "for cuBLAS 12, or R580+ for cuBLAS 13", e);
            }
            createdStream = cu.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
            try {
                createdHandle = blas.bindings().create();
            } catch (CudaException e) {
                // cuBLAS 13 needs a CUDA 13 driver (R580+); under an older one cublasCreate fails, and the
                // .so.12 beside it (or on the linker's path) may still work with this driver
                if (!blas.path().contains("libcublas.so.13")) {
                    throw e;
                }
                try {
                    blas = CudaLibraries.loadCublas(folders, List.of("libcublas.so.12"));
                } catch (BackendUnavailableException none) {
                    throw new BackendUnavailableException("cublasCreate failed with " + blas.path() + " (" + e.getMessage()
                            + ") under driver " + version(cu.driverVersion()) + ", and no libcublas.so.12 to fall back on: "
                            + "install cuBLAS 12 or a CUDA 13 driver", e);
                }
                createdHandle = blas.bindings().create();
            }
            blas.bindings().setStream(createdHandle, createdStream);
            blas.bindings().setMathMode(createdHandle, Cublas.CUBLAS_DEFAULT_MATH);
        } catch (RuntimeException e) {
            if (createdHandle != null) {
                blas.bindings().destroy(createdHandle);
            }
            if (createdStream != null) {
                cu.streamDestroy(createdStream);
            }
            if (loadedKernels != null) {
                loadedKernels.close();
            }
            cu.primaryContextRelease(device);
            throw e instanceof BackendUnavailableException ? e
                    : new BackendUnavailableException("CUDA set-up failed on device " + ordinal + ": " + e.getMessage(), e);
        }
        cublas = blas.bindings();
        kernels = loadedKernels;
        stream = createdStream;
        handle = createdHandle;
        long total = cu.totalMemory(device);
        buffers = new DeviceBuffers(cu::memAlloc, cu::memFree, Long.getLong(CACHE_PROPERTY, total / 2));
        alpha = hostArena.allocate(JAVA_FLOAT);
        beta = hostArena.allocate(JAVA_FLOAT);
        // both: managed memory at all (absent in some virtualised set-ups), and host access while kernels run
        // (without it, any host touch of managed memory during a kernel is a segfault, not just a race)
        boolean managed = cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, device) != 0
                && cu.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS, device) != 0;
        unified = managed && unifiedWanted;
        String memory = unified ? "tensors from allocate() resident in unified memory, calls queued (one wait per training step)"
                : (!unifiedWanted ? "-D" + UNIFIED_PROPERTY + "=false" : "no (concurrent) managed memory on this device")
                        + ": every tensor copied per call, one wait per call";
        description = cu.deviceName(device) + " (device " + ordinal + ", sm_" + major + minor + ", "
                + total / (1L << 20) + " MiB), driver " + version(cu.driverVersion()) + " " + driver.path()
                + "; cuBLAS " + cublas.version(handle) + " " + blas.path() + "; " + memory;
    }

    private static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String describe() {
        return description;
    }

    /** Device buffers allocated so far for host tensors' mirrors (constant in a steady-state loop). */
    public synchronized long deviceAllocations() {
        return buffers.allocations();
    }

    /** Times the host has waited for the stream so far (a resident training step adds one). */
    public synchronized long synchronizations() {
        return synchronizations;
    }

    // for dev.panamax.check.GpuBench, which times cuBLAS itself on device-resident buffers: public, but
    // this package is not exported by the module, so they stay inside the library

    /** The CUDA driver binding this backend calls. */
    public CudaDriver driver() {
        return cu;
    }

    /** The cuBLAS binding this backend calls. */
    public Cublas cublas() {
        return cublas;
    }

    /** This backend's cuBLAS handle. */
    public MemorySegment cublasHandle() {
        return handle;
    }

    /** This backend's CUDA stream. */
    public MemorySegment stream() {
        return stream;
    }

    /** Makes this backend's context current on the calling thread. */
    public void makeCurrent() {
        cu.setCurrent(context);
    }

    // ---------------------------------------------------------------- memory and ordering

    @Override
    public boolean asynchronous() {
        return unified;
    }

    /**
     * A zero-filled tensor in unified memory, freed when {@code owner} closes; a host tensor when
     * unified memory is off (see the class comment).
     */
    @Override
    @SuppressWarnings("restricted") // the segment wraps memory from cuMemAllocManaged, sized here
    public synchronized Tensor allocate(Arena owner, int... shape) {
        long elements = Tensor.sizeOf(shape);
        if (!unified) {
            return Tensor.allocate(owner, shape);
        }
        begin();
        long bytes = Math.max(1, elements) * Float.BYTES;
        long address = cu.memAllocManaged(bytes);
        MemorySegment segment;
        try {
            cu.memsetD32Async(address, 0, Math.max(1, elements), stream);
            waitForStream(); // zeros in place before the host writes initial values
            segment = MemorySegment.ofAddress(address).reinterpret(elements * Float.BYTES, owner, s -> release(address));
        } catch (RuntimeException e) {
            cu.memFree(address); // owner already closed, or the memset failed
            throw e;
        }
        resident.add(address, bytes);
        liveResident++;
        return Tensor.wrap(segment, shape);
    }

    /**
     * Frees one unified allocation when its owner closes (on whichever thread closes it). Never throws:
     * it runs inside {@code Arena.close()}, and after a kernel fault every CUDA call fails with the same
     * sticky error; the memory goes with the context then. The first such error is kept for
     * {@link #synchronize()} to report.
     */
    private synchronized void release(long address) {
        resident.remove(address);
        liveResident--;
        try {
            cu.setCurrent(context);
            if (!closed) {
                cu.streamSynchronize(stream); // queued kernels may still use it
            }
        } catch (RuntimeException e) {
            keep(e);
        }
        try {
            cu.memFree(address); // even after a failed wait: a faulted context runs nothing more
        } catch (RuntimeException e) {
            keep(e);
        } finally {
            if (closed && liveResident == 0) {
                releaseContext(); // close() left the context to the last resident tensor
            }
        }
    }

    private void releaseContext() {
        try {
            cu.primaryContextRelease(device);
        } catch (RuntimeException e) {
            keep(e);
        }
    }

    /** Keeps the first failure met where nothing may throw, for the next synchronize() to report. */
    private void keep(RuntimeException e) {
        if (deferredError == null) {
            deferredError = e;
        }
    }

    /** Waits for the stream; after close() there is nothing left to wait for (close drained it). */
    @Override
    public synchronized void synchronize() {
        if (closed) {
            return;
        }
        begin();
        RuntimeException earlier = deferredError;
        deferredError = null;
        try {
            waitForStream();
        } catch (RuntimeException e) {
            if (earlier != null) {
                e.addSuppressed(earlier); // reported with this failure, not lost
            }
            throw e;
        }
        if (earlier != null) {
            throw new IllegalStateException("an earlier CUDA failure, met while freeing memory: " + earlier.getMessage(),
                    earlier);
        }
    }

    @Override
    public synchronized void copy(Tensor src, Tensor dst) {
        long bytes = src.segment().byteSize();
        boolean fromDevice = isResident(src);
        boolean toDevice = isResident(dst);
        if (bytes == 0) {
            return;
        }
        if (!fromDevice && !toDevice) {
            MemorySegment.copy(src.segment(), 0, dst.segment(), 0, bytes); // host tensors are always current
            return;
        }
        begin();
        long srcAddress = src.segment().address();
        long dstAddress = dst.segment().address();
        if (fromDevice && toDevice) {
            cu.copyDeviceToDeviceAsync(dstAddress, srcAddress, bytes, stream);
        } else if (toDevice) {
            cu.copyToDeviceAsync(dstAddress, src.segment(), bytes, stream); // staged: src is free on return
        } else {
            cu.copyToHostAsync(dst.segment(), srcAddress, bytes, stream);
            waitForStream();
        }
    }

    @Override
    public synchronized void fill(Tensor x, float value) {
        if (!isResident(x)) {
            x.fill(value);
            return;
        }
        if (x.size() > 0) {
            begin();
            cu.memsetD32Async(x.segment().address(), Float.floatToRawIntBits(value), x.size(), stream);
        }
    }

    @Override
    public synchronized boolean isResident(Tensor t) {
        MemorySegment s = t.segment();
        return resident.contains(s.address(), s.byteSize());
    }

    private void begin() {
        if (closed) {
            throw new IllegalStateException("the cuda backend is closed");
        }
        cu.setCurrent(context);
    }

    private void waitForStream() {
        cu.streamSynchronize(stream);
        synchronizations++;
        buffers.trim();
    }

    /** A resident tensor's own address, or a host tensor's device mirror with its data uploaded. */
    private long in(Tensor t) {
        if (isResident(t)) {
            return t.segment().address();
        }
        long d = buffers.of(t.segment());
        if (d != 0) {
            cu.copyToDeviceAsync(d, t.segment(), t.segment().byteSize(), stream);
        }
        return d;
    }

    /** The device address for an output that is fully overwritten (no upload). */
    private long out(Tensor t) {
        return isResident(t) ? t.segment().address() : buffers.of(t.segment());
    }

    private long inOrNull(Tensor t) {
        return t == null ? 0 : in(t);
    }

    private long outOrNull(Tensor t) {
        return t == null ? 0 : out(t);
    }

    /** Queues the copy of a host output back from its mirror; the call then waits in {@link #finish()}. */
    private void download(Tensor t) {
        if (t != null && t.size() > 0 && !isResident(t)) {
            cu.copyToHostAsync(t.segment(), buffers.of(t.segment()), t.segment().byteSize(), stream);
            hostOutput = true;
        }
    }

    /**
     * The end of every call: waits only when the call wrote a host tensor (its result must be in host
     * memory on return). Calls on resident tensors return with their kernels queued.
     */
    private void finish() {
        if (hostOutput) {
            hostOutput = false;
            waitForStream();
        }
    }

    // ---------------------------------------------------------------- GEMM

    /*
     * Row-major GEMM through column-major cuBLAS. A row-major (r,c) matrix in memory IS the
     * column-major (c,r) matrix, its transpose. So C (m,n) row-major is C^T (n,m) column-major, and
     *     C = op(A) op(B)   <=>   C^T = op(B)^T op(A)^T.
     * cuBLAS sees B's storage as the column-major matrix that is op(B)^T when transB is false (stored
     * (k,n) row-major = (n,k) column-major = op(B)^T) and op(B)^T's transpose when transB is true; so
     * calling sgemm(opB, opA, n, m, k, B, ldb, A, lda, C, ldc = n) with opB = transB ? T : N and
     * opA = transA ? T : N computes op(B)^T op(A)^T = C^T (n,m) column-major = C (m,n) row-major.
     * Leading dimensions are the stored row lengths: lda = transA ? m : k, ldb = transB ? k : n.
     */
    // A (m,k) or (k,m) if transA; B (k,n) or (n,k) if transB; C (m,n)
    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k,
                                  float alphaValue, Tensor a, Tensor b, float betaValue, Tensor c) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            // nothing to multiply: C = beta * C (or zeros), the reference's loop does exactly that, on the
            // host: so the queue must be empty first (C may be resident and still in use), and a host C stays current
            begin();
            waitForStream();
            REFERENCE.gemm(transA, transB, m, n, k, alphaValue, a, b, betaValue, c);
            return;
        }
        begin();
        long da = in(a);
        long db = in(b);
        long dc = betaValue != 0f ? in(c) : out(c); // beta == 0: cuBLAS does not read C, NaN there cannot leak
        alpha.set(JAVA_FLOAT, 0, alphaValue);
        beta.set(JAVA_FLOAT, 0, betaValue);
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        cublas.sgemm(handle, transB ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, transA ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                n, m, k, alpha, db, ldb, da, lda, beta, dc, n);
        download(c);
        finish();
    }

    // ---------------------------------------------------------------- elementwise

    // x (R,C), bias (C) or null -> y (R,C)
    @Override
    public synchronized void biasActivation(Tensor x, Tensor bias, Activation act, Tensor y) {
        begin();
        long dx = in(x);
        long dbias = inOrNull(bias);
        long dy = x == y ? dx : out(y);
        kernels.args().ptr(dx).ptr(dbias).i32(act.ordinal()).ptr(dy).i64(x.rows()).i32(x.cols());
        kernels.launchElements(kernels.biasActivation, x.size(), stream);
        download(y);
        finish();
    }

    // x (n) for relu, y (n) for sigmoid/tanh, dy (n) -> dx (n)
    @Override
    public synchronized void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        begin();
        long dX = act == Activation.RELU ? in(x) : 0;
        long dY = act == Activation.SIGMOID || act == Activation.TANH ? in(y) : 0;
        long dDy = in(dy);
        long dDx = dx == dy ? dDy : out(dx);
        kernels.args().i32(act.ordinal()).ptr(dX).ptr(dY).ptr(dDy).ptr(dDx).i64(dy.size());
        kernels.launchElements(kernels.activationBackward, dy.size(), stream);
        download(dx);
        finish();
    }

    // x (n), y (n) -> y
    @Override
    public synchronized void axpy(float alphaValue, Tensor x, Tensor y) {
        begin();
        long dx = in(x);
        long dy = in(y);
        kernels.args().f32(alphaValue).ptr(dx).ptr(dy).i64(x.size());
        kernels.launchElements(kernels.axpy, x.size(), stream);
        download(y);
        finish();
    }

    // x (n) -> x
    @Override
    public synchronized void scale(float alphaValue, Tensor x) {
        begin();
        long dx = in(x);
        kernels.args().f32(alphaValue).ptr(dx).i64(x.size());
        kernels.launchElements(kernels.scale, x.size(), stream);
        download(x);
        finish();
    }

    // x (R,C) -> out (C)
    @Override
    public synchronized void columnSums(Tensor x, float betaValue, Tensor out) {
        begin();
        long dx = in(x);
        long dout = betaValue != 0f ? in(out) : out(out);
        kernels.args().ptr(dx).f32(betaValue).ptr(dout).i64(x.rows()).i32(x.cols());
        kernels.launchElements(kernels.columnSums, x.cols(), stream);
        download(out);
        finish();
    }

    // x (R,C) -> y (R,C)
    @Override
    public synchronized void softmaxRows(Tensor x, Tensor y) {
        rowKernel(kernels.softmaxRows, x, y);
    }

    // x (R,C) -> y (R,C)
    @Override
    public synchronized void logSoftmaxRows(Tensor x, Tensor y) {
        rowKernel(kernels.logSoftmaxRows, x, y);
    }

    private void rowKernel(MemorySegment function, Tensor x, Tensor y) {
        begin();
        long dx = in(x);
        long dy = x == y ? dx : out(y);
        kernels.args().ptr(dx).ptr(dy).i64(x.rows()).i32(x.cols());
        kernels.launchRows(function, x.cols() == 0 ? 0 : x.rows(), stream);
        download(y);
        finish();
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null; returns the sum of row losses
    @Override
    public synchronized double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits,
                                                   float gradScale) {
        int rows = logits.rows();
        if (rows == 0) {
            return 0;
        }
        begin();
        MemorySegment loss = lossBuffer(rows);
        long dloss = buffers.of(loss);
        launchCrossEntropy(logits, labels, probs, dlogits, gradScale, dloss);
        download(probs);
        download(dlogits);
        cu.copyToHostAsync(loss, dloss, (long) rows * Double.BYTES, stream);
        hostOutput = true; // the row losses are read on the host below
        finish();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            total += loss.getAtIndex(JAVA_DOUBLE, i); // in row order, as the reference sums
        }
        return total;
    }

    // logits (B,C), labels (B) -> probs (B,C), dlogits (B,C) or null, meanLoss (1); all on the device
    @Override
    public synchronized void softmaxCrossEntropyMean(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits,
                                                     float gradScale, Tensor meanLoss) {
        int rows = logits.rows();
        begin();
        long dRowLoss = rowLossBuffer(rows);
        launchCrossEntropy(logits, labels, probs, dlogits, gradScale, dRowLoss);
        long dmean = out(meanLoss);
        kernels.args().ptr(dRowLoss).i64(rows).ptr(dmean);
        kernels.launchElements(kernels.meanOfRows, 1, stream);
        download(probs);
        download(dlogits);
        download(meanLoss);
        finish();
    }

    /** Queues softmax_cross_entropy, its per-row losses (doubles) going to device address {@code dRowLoss}. */
    private void launchCrossEntropy(Tensor logits, Tensor labels, Tensor probs, Tensor dlogits, float gradScale,
                                    long dRowLoss) {
        long dlogitsIn = in(logits);
        long dlabels = in(labels);
        long dprobs = out(probs);
        long ddlogits = outOrNull(dlogits);
        kernels.args().ptr(dlogitsIn).ptr(dlabels).ptr(dprobs).ptr(ddlogits).f32(gradScale).ptr(dRowLoss)
                .i64(logits.rows()).i32(logits.cols());
        kernels.launchRows(kernels.softmaxCrossEntropy, logits.rows(), stream);
    }

    /** Device memory for {@code rows} per-row losses; growing waits for the stream before freeing the old buffer. */
    private long rowLossBuffer(int rows) {
        long needed = Math.max(1, rows);
        if (rowLossCapacity < needed) {
            if (rowLoss != 0) {
                waitForStream();
                cu.memFree(rowLoss);
                rowLoss = 0;
            }
            rowLoss = cu.memAlloc(needed * Double.BYTES);
            rowLossCapacity = needed;
        }
        return rowLoss;
    }

    /**
     * A host buffer of at least {@code rows} doubles for the per-row losses: the largest seen, reused as
     * it is (callers copy only {@code rows * 8} bytes into it), so a call allocates nothing and
     * alternating batch sizes do not add buffers. It only grows, doubling, so it is replaced a few
     * times at most; a replaced one stays in the arena until close.
     */
    private MemorySegment lossBuffer(int rows) {
        long bytes = (long) rows * Double.BYTES;
        if (lossHost == null || lossHost.byteSize() < bytes) {
            long size = lossHost == null ? bytes : Math.max(bytes, 2 * lossHost.byteSize());
            lossHost = hostArena.allocate(size, Double.BYTES);
        }
        return lossHost;
    }

    // logits (B,C), labels (B) -> count (1)
    @Override
    public synchronized void countCorrect(Tensor logits, Tensor labels, Tensor count) {
        begin();
        long dlogits = in(logits);
        long dlabels = in(labels);
        long dcount = out(count);
        cu.memsetD32Async(dcount, 0, 1, stream); // the kernel adds to it
        kernels.args().ptr(dlogits).ptr(dlabels).i64(logits.rows()).i32(logits.cols()).ptr(dcount);
        kernels.launchElements(kernels.countCorrect, logits.rows(), stream);
        download(count);
        finish();
    }

    // ---------------------------------------------------------------- optimizers

    /** The update rules run by this backend's own kernels (kernels.cu), with the operands each was written for. */
    private final Map<String, AcceleratedUpdate> updateKernels = AcceleratedUpdate.byRule(List.of(
            new AcceleratedUpdate("torch.optim.SGD", List.of("param", "grad", "momentum_buffer"),
                    List.of("weightDecay", "momentum", "dampComplement", "nesterov", "first", "negLr"),
                    (t, s) -> sgdStep(t[0], t[1], t[2], s[0], s[1], s[2], s[3] != 0f, s[4] != 0f, s[5])),
            new AcceleratedUpdate("torch.optim.Adagrad", List.of("param", "grad", "sum"),
                    List.of("weightDecay", "negClr", "eps"),
                    (t, s) -> adagradStep(t[0], t[1], t[2], s[0], s[1], s[2])),
            new AcceleratedUpdate("torch.optim.Adadelta", List.of("param", "grad", "square_avg", "acc_delta"),
                    List.of("weightDecay", "rho", "oneMinusRho", "eps", "negLr"),
                    (t, s) -> adadeltaStep(t[0], t[1], t[2], t[3], s[0], s[1], s[2], s[3], s[4])),
            new AcceleratedUpdate("torch.optim.RMSprop",
                    List.of("param", "grad", "square_avg", "grad_avg", "momentum_buffer"),
                    List.of("weightDecay", "alpha", "oneMinusAlpha", "eps", "momentum", "negLr"),
                    (t, s) -> rmspropStep(t[0], t[1], t[2], t[3], t[4], s[0], s[1], s[2], s[3], s[4], s[5])),
            new AcceleratedUpdate("torch.optim.Adam",
                    List.of("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                    List.of("decayFactor", "weightDecay", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2",
                            "negStepSize", "bc2Sqrt", "eps"),
                    (t, s) -> adamStep(t[0], t[1], t[2], t[3], t[4], s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                            s[8]))));

    @Override
    public UpdateKernel updateKernel(UpdateRule rule) {
        return AcceleratedUpdate.resolve(rule, updateKernels, name(), (t, s) -> hostReference(rule, t, s));
    }

    /**
     * A rule this backend has no kernel for: its reference runs on the host, on host copies of the resident
     * tensors (a confined arena per call, so this path allocates; a rule worth running on the GPU gets a
     * kernel in kernels.cu and an entry above).
     */
    private synchronized void hostReference(UpdateRule rule, Tensor[] tensors, float[] scalars) {
        try (Arena scratch = Arena.ofConfined()) {
            Tensor[] host = new Tensor[tensors.length];
            for (int i = 0; i < tensors.length; i++) {
                Tensor t = tensors[i];
                if (t != null && isResident(t)) {
                    host[i] = Tensor.allocate(scratch, t.shape());
                    copy(t, host[i]);
                } else {
                    host[i] = t;
                }
            }
            synchronize(); // the copies above, and any kernel still writing a host tensor's mirror
            rule.reference(host, scalars);
            for (int i = 0; i < tensors.length; i++) {
                if (host[i] != tensors[i]) {
                    copy(host[i], tensors[i]);
                }
            }
            synchronize(); // before the scratch arena frees the sources of those copies
        }
    }

    private synchronized void sgdStep(Tensor p, Tensor g, Tensor buf, float weightDecay, float momentum,
                                      float dampComplement, boolean nesterov, boolean first, float negLr) {
        begin();
        long dp = in(p);
        long dg = in(g);
        long dbuf = buf == null ? 0 : (first ? out(buf) : in(buf));
        kernels.args().ptr(dp).ptr(dg).ptr(dbuf).f32(weightDecay).f32(momentum).f32(dampComplement)
                .i32(nesterov ? 1 : 0).i32(first ? 1 : 0).f32(negLr).i64(p.size());
        kernels.launchElements(kernels.sgdStep, p.size(), stream);
        download(p);
        download(buf);
        finish();
    }

    private synchronized void adagradStep(Tensor p, Tensor g, Tensor sum, float weightDecay, float negClr, float eps) {
        begin();
        long dp = in(p);
        long dg = in(g);
        long dsum = in(sum);
        kernels.args().ptr(dp).ptr(dg).ptr(dsum).f32(weightDecay).f32(negClr).f32(eps).i64(p.size());
        kernels.launchElements(kernels.adagradStep, p.size(), stream);
        download(p);
        download(sum);
        finish();
    }

    private synchronized void adadeltaStep(Tensor p, Tensor g, Tensor squareAvg, Tensor accDelta, float weightDecay,
                                           float rho, float oneMinusRho, float eps, float negLr) {
        begin();
        long dp = in(p);
        long dg = in(g);
        long dsq = in(squareAvg);
        long dacc = in(accDelta);
        kernels.args().ptr(dp).ptr(dg).ptr(dsq).ptr(dacc).f32(weightDecay).f32(rho).f32(oneMinusRho).f32(eps)
                .f32(negLr).i64(p.size());
        kernels.launchElements(kernels.adadeltaStep, p.size(), stream);
        download(p);
        download(squareAvg);
        download(accDelta);
        finish();
    }

    private synchronized void rmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf,
                                          float weightDecay, float alphaValue, float oneMinusAlpha, float eps,
                                          float momentum, float negLr) {
        begin();
        long dp = in(p);
        long dg = in(g);
        long dsq = in(squareAvg);
        long dga = inOrNull(gradAvg);
        long dbuf = inOrNull(buf);
        kernels.args().ptr(dp).ptr(dg).ptr(dsq).ptr(dga).ptr(dbuf).f32(weightDecay).f32(alphaValue)
                .f32(oneMinusAlpha).f32(eps).f32(momentum).f32(negLr).i64(p.size());
        kernels.launchElements(kernels.rmspropStep, p.size(), stream);
        download(p);
        download(squareAvg);
        download(gradAvg);
        download(buf);
        finish();
    }

    private synchronized void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, float decayFactor,
                                       float weightDecay, float beta1, float oneMinusBeta1, float beta2,
                                       float oneMinusBeta2, float negStepSize, float bc2Sqrt, float eps) {
        begin();
        long dp = in(p);
        long dg = in(g);
        long dm = in(m);
        long dv = in(v);
        long dvmax = inOrNull(vmax);
        kernels.args().ptr(dp).ptr(dg).ptr(dm).ptr(dv).ptr(dvmax).f32(decayFactor).f32(weightDecay).f32(beta1)
                .f32(oneMinusBeta1).f32(beta2).f32(oneMinusBeta2).f32(negStepSize).f32(bc2Sqrt).f32(eps)
                .i64(p.size());
        kernels.launchElements(kernels.adamStep, p.size(), stream);
        download(p);
        download(m);
        download(v);
        download(vmax);
        finish();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true; // first: whatever fails below, nothing may use the stream or handles again
        RuntimeException failure = null;
        // each step on its own, so that one failure (a sticky error after a kernel fault) cannot leak the rest
        Runnable[] steps = {
            () -> cu.setCurrent(context),
            () -> cu.streamSynchronize(stream),
            buffers::close,
            () -> {
                if (rowLoss != 0) {
                    cu.memFree(rowLoss);
                }
            },
            () -> cublas.destroy(handle),
            kernels::close,
            () -> cu.streamDestroy(stream),
            hostArena::close,
        };
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (liveResident == 0) {
            releaseContext();
        } // else the last resident tensor's release does it, so that memory stays readable until then
        if (failure != null) {
            throw failure;
        }
    }
}
