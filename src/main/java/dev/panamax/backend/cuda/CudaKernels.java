package dev.panamax.backend.cuda;

import dev.panamax.backend.cuda.ffi.CudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Panamax's elementwise kernels ({@code native/cuda/kernels.cu}), loaded from the PTX the jar carries
 * ({@value #PTX_RESOURCE}) and launched with arguments packed into one reused native buffer.
 *
 * <p>Argument packing: {@code cuLaunchKernel} takes an array of pointers, one per kernel parameter,
 * each pointing at that parameter's value. {@link #MAX_PARAMS} 8-byte slots and the pointer array
 * aimed at them are allocated once; a launch writes its values into the first slots ({@code int}
 * and {@code float} in the low 4 bytes: the driver reads each parameter at its own size). So a
 * launch allocates nothing. Not thread-safe: the backend serialises its calls.
 */
final class CudaKernels implements AutoCloseable {
    /** The PTX on the class path, built by scripts/build-ptx. */
    static final String PTX_RESOURCE = "/dev/panamax/backend/cuda/kernels.ptx";
    /**
     * The PTX's {@code .target}, as major x 10 + minor: 7.5, the oldest architecture nvcc 13 compiles for;
     * the kernels need nothing newer (warp shuffles and float atomicAdd). A device below it is refused by name.
     */
    static final int MIN_COMPUTE_CAPABILITY = 75;

    /** Every kernel the backend launches, by its {@code extern "C"} name. */
    static final List<String> NAMES = List.of("bias_activation", "activation_backward", "axpy", "scale",
            "column_sums", "softmax_rows", "log_softmax_rows", "softmax_cross_entropy", "mean_of_rows", "count_correct",
            "sgd_step", "adagrad_step", "adadelta_step", "rmsprop_step", "adam_step");

    /** The longest parameter list of any kernel (adam_step has 15). */
    static final int MAX_PARAMS = 16;
    /** Threads per block for elementwise kernels: 8 warps, enough to hide memory latency at full occupancy. */
    static final int BLOCK = 256;
    /** Threads per block for row kernels: 4 warps, one row each. */
    static final int ROW_BLOCK = 128;
    static final int WARP = 32;
    /** Grid-stride loops make any grid correct; past this many blocks, more only cost launch bookkeeping. */
    private static final long MAX_BLOCKS = 65_536;

    private final CudaDriver cu;
    private final MemorySegment module;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;

    final MemorySegment biasActivation;
    final MemorySegment activationBackward;
    final MemorySegment axpy;
    final MemorySegment scale;
    final MemorySegment columnSums;
    final MemorySegment softmaxRows;
    final MemorySegment logSoftmaxRows;
    final MemorySegment softmaxCrossEntropy;
    final MemorySegment meanOfRows;
    final MemorySegment countCorrect;
    final MemorySegment sgdStep;
    final MemorySegment adagradStep;
    final MemorySegment adadeltaStep;
    final MemorySegment rmspropStep;
    final MemorySegment adamStep;

    /** Loads the module into the current context (the driver JIT-compiles the PTX for its GPU now). */
    CudaKernels(CudaDriver cu) {
        this.cu = cu;
        MemorySegment image = arena.allocateFrom(readPtx());
        this.module = cu.moduleLoadData(image);
        try {
            biasActivation = cu.moduleFunction(module, "bias_activation");
            activationBackward = cu.moduleFunction(module, "activation_backward");
            axpy = cu.moduleFunction(module, "axpy");
            scale = cu.moduleFunction(module, "scale");
            columnSums = cu.moduleFunction(module, "column_sums");
            softmaxRows = cu.moduleFunction(module, "softmax_rows");
            logSoftmaxRows = cu.moduleFunction(module, "log_softmax_rows");
            softmaxCrossEntropy = cu.moduleFunction(module, "softmax_cross_entropy");
            meanOfRows = cu.moduleFunction(module, "mean_of_rows");
            countCorrect = cu.moduleFunction(module, "count_correct");
            sgdStep = cu.moduleFunction(module, "sgd_step");
            adagradStep = cu.moduleFunction(module, "adagrad_step");
            adadeltaStep = cu.moduleFunction(module, "adadelta_step");
            rmspropStep = cu.moduleFunction(module, "rmsprop_step");
            adamStep = cu.moduleFunction(module, "adam_step");
        } catch (RuntimeException e) {
            cu.moduleUnload(module);
            arena.close();
            throw e;
        }
        values = arena.allocate(JAVA_LONG, MAX_PARAMS);
        pointers = arena.allocate(ADDRESS, MAX_PARAMS);
        for (int i = 0; i < MAX_PARAMS; i++) {
            pointers.setAtIndex(ADDRESS, i, values.asSlice(i * JAVA_LONG.byteSize(), JAVA_LONG.byteSize()));
        }
    }

    /** The PTX text from the class path. */
    static String readPtx() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(PTX_RESOURCE + " is not on the class path: the jar was built without "
                        + "the kernels (run scripts/build-ptx, then rebuild)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PTX_RESOURCE, e);
        }
    }

    // ---------------------------------------------------------------- argument packing

    CudaKernels args() {
        count = 0;
        return this;
    }

    CudaKernels ptr(long devicePointer) {
        values.setAtIndex(JAVA_LONG, count++, devicePointer);
        return this;
    }

    CudaKernels i64(long value) {
        values.setAtIndex(JAVA_LONG, count++, value);
        return this;
    }

    CudaKernels i32(int value) {
        values.set(JAVA_INT, (long) count++ * Long.BYTES, value);
        return this;
    }

    CudaKernels f32(float value) {
        values.set(JAVA_FLOAT, (long) count++ * Long.BYTES, value);
        return this;
    }

    CudaKernels f64(double value) {
        values.setAtIndex(JAVA_DOUBLE, count++, value);
        return this;
    }

    /** Launches {@code function} over {@code n} elements, one thread each (grid-stride beyond {@link #MAX_BLOCKS}). */
    void launchElements(MemorySegment function, long n, MemorySegment stream) {
        if (n > 0) {
            long blocks = Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK);
            cu.launch(function, (int) blocks, BLOCK, stream, pointers);
        }
    }

    /** Launches a row kernel over {@code rows} rows, one warp each. */
    void launchRows(MemorySegment function, long rows, MemorySegment stream) {
        if (rows > 0) {
            int rowsPerBlock = ROW_BLOCK / WARP;
            long blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
            cu.launch(function, Math.toIntExact(blocks), ROW_BLOCK, stream, pointers);
        }
    }

    @Override
    public void close() {
        cu.moduleUnload(module);
        arena.close();
    }
}
