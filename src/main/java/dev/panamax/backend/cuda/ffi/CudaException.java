package dev.panamax.backend.cuda.ffi;

/**
 * A CUDA driver or cuBLAS call returned an error status. The message names the call, the status
 * code and, for the driver, its symbolic name and description from {@code cuGetErrorName} /
 * {@code cuGetErrorString} (e.g. {@code cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected}).
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int status;

    public CudaException(String call, int status, String description) {
        super(call + ": " + description);
        this.call = call;
        this.status = status;
    }

    /** The C function that failed. */
    public String call() {
        return call;
    }

    /** Its return value: a {@code CUresult} or a {@code cublasStatus_t}. */
    public int status() {
        return status;
    }
}
