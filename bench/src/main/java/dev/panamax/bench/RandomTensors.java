package dev.panamax.bench;

import dev.panamax.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/** Benchmark inputs: tensors of uniform random floats from a fixed seed, so runs are comparable. */
public final class RandomTensors {
    private RandomTensors() {
    }

    /** A tensor of uniform values in [lo, hi). */
    public static Tensor uniform(Arena arena, SplittableRandom rng, float lo, float hi, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        float[] values = new float[Math.toIntExact(t.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = lo + (hi - lo) * (float) rng.nextDouble();
        }
        return t.copyFrom(values);
    }

    /** Class indices in [0, classes) stored as floats, the label layout the loss kernels take. */
    public static Tensor labels(Arena arena, SplittableRandom rng, int count, int classes) {
        Tensor t = Tensor.allocate(arena, count);
        for (int i = 0; i < count; i++) {
            t.set(i, rng.nextInt(classes));
        }
        return t;
    }
}
