package dev.panamax.tensor;

import java.lang.foreign.Arena;

/**
 * Where new tensors live. {@link #HOST} allocates plain off-heap host memory; a
 * {@link dev.panamax.backend.Compute} allocates in the memory its backend computes on (host memory for
 * the CPU backends, GPU-resident unified memory for {@code cuda}), so that models, graphs and optimizer
 * state built through it stay where they are computed on: a training step then moves only its batch
 * up and its loss back.
 */
@FunctionalInterface
public interface TensorAllocator {
    /** Plain host memory ({@link Tensor#allocate}). */
    TensorAllocator HOST = Tensor::allocate;

    /**
     * A zero-filled tensor of {@code shape} whose memory lives as long as {@code owner}.
     *
     * @param owner the arena whose closing frees the tensor
     * @param shape the dimensions: at least one, none negative
     * @return the new tensor
     * @throws IllegalArgumentException if the shape is invalid
     */
    Tensor allocate(Arena owner, int... shape);
}
