package dev.panamax.backend;

import dev.panamax.tensor.Tensor;

/**
 * One {@link UpdateRule} as a backend runs it, resolved once ({@link Compute#updateKernel}) and then called
 * every step. The arrays are the caller's to reuse between calls (a step allocates nothing); a kernel reads
 * them during the call only.
 */
@FunctionalInterface
public interface UpdateKernel {
    void apply(Tensor[] tensors, float[] scalars);
}
