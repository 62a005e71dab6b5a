package dev.panamax.backend;

import dev.panamax.tensor.Tensor;

/**
 * One {@link UpdateRule} as a backend runs it, resolved once ({@link Compute#updateKernel}) and then called
 * every step. The arrays are the caller's to reuse between calls (a step allocates nothing); a kernel reads
 * them during the call only.
 */
@FunctionalInterface
public interface UpdateKernel {
    /**
     * Runs one update, in place.
     *
     * @param tensors the rule's tensors in its order (the parameter first; an optional one may be null)
     * @param scalars the rule's scalars in its order, already rounded to float
     */
    void apply(Tensor[] tensors, float[] scalars);
}
