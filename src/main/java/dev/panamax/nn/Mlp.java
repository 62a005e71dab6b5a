package dev.panamax.nn;

import dev.panamax.backend.Activation;
import dev.panamax.backend.Compute;
import dev.panamax.tensor.TensorAllocator;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron: {@code Linear, act, Linear, act, ..., Linear} as a {@link Sequential}
 * (784-256-10 with ReLU by default), owning the memory of its parameters.
 * Parameter names follow PyTorch's Sequential ("0.weight", "0.bias", "2.weight", "2.bias").
 *
 * <p>The parameters and their gradients live in a shared arena of the model's own: {@link #close()} frees
 * them, after which neither the model nor a graph recorded with it may be used.
 */
public final class Mlp extends Sequential implements AutoCloseable {
    private final int[] sizes;
    private final Activation activation;
    private final Arena arena;
    private final TensorAllocator memory;

    private Mlp(List<Module> layers, int[] sizes, Activation activation, Arena arena, TensorAllocator memory) {
        super(layers);
        this.sizes = sizes;
        this.activation = activation;
        this.arena = arena;
        this.memory = memory;
    }

    /**
     * Builds an MLP with layer sizes {@code sizes[0] -> ... -> sizes[last]}, the given hidden activation and
     * PyTorch's default initialisation from a generator seeded with {@code seed}. Parameters live in host
     * memory.
     *
     * @param sizes      the layer widths, input first and output last, each {@code > 0}; copied
     * @param activation the activation after every Linear but the last ({@link Activation#IDENTITY}: none)
     * @param seed       the seed of the {@link java.util.SplittableRandom} that initialises the weights
     * @return the model, owned by the caller (close it)
     * @throws IllegalArgumentException if there are fewer than two sizes or a size is not positive
     */
    public static Mlp create(int[] sizes, Activation activation, long seed) {
        return create(sizes, activation, seed, TensorAllocator.HOST);
    }

    /**
     * {@link #create(int[], Activation, long)} with the parameters and gradients allocated by {@code memory};
     * pass the training {@code Compute} so they live where its backend computes (on the GPU for cuda).
     *
     * @param sizes      the layer widths, input first and output last, each {@code > 0}; copied
     * @param activation the activation after every Linear but the last ({@link Activation#IDENTITY}: none)
     * @param seed       the seed of the {@link java.util.SplittableRandom} that initialises the weights
     * @param memory     where parameters and gradients are allocated, e.g. a {@link Compute}
     * @return the model, owned by the caller (close it)
     * @throws IllegalArgumentException if there are fewer than two sizes or a size is not positive
     */
    public static Mlp create(int[] sizes, Activation activation, long seed, TensorAllocator memory) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least input and output sizes, got " + Arrays.toString(sizes));
        }
        for (int size : sizes) {
            if (size <= 0) {
                throw new IllegalArgumentException("layer sizes must be positive, got " + Arrays.toString(sizes));
            }
        }
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            layers.add(new Linear(sizes[i], sizes[i + 1], rng, arena, memory));
            if (i + 2 < sizes.length && activation != Activation.IDENTITY) {
                layers.add(new ActivationLayer(activation));
            }
        }
        return new Mlp(layers, sizes.clone(), activation, arena, memory);
    }

    /**
     * The layer widths, input first.
     *
     * @return a copy of the sizes, e.g. {784, 256, 10}
     */
    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * The activation between the Linear layers.
     *
     * @return the hidden activation
     */
    public Activation activation() {
        return activation;
    }

    /**
     * The arena that owns the parameters (and their gradients).
     *
     * @return the model's shared arena, closed by {@link #close()}
     */
    public Arena arena() {
        return arena;
    }

    /** Waits for a backend that may still be updating the parameters, then frees them and their gradients. */
    @Override
    public void close() {
        try {
            if (memory instanceof Compute compute) {
                compute.synchronize(); // a GPU may still be updating the parameters
            }
        } finally {
            arena.close(); // even after a failed wait (a faulted GPU runs nothing more)
        }
    }
}
